/** What the router hands each page. */
export interface PageContext {
  /** Where the page renders (below its title). */
  body: HTMLElement;
  /** The query part of the fragment: #/spend?group_by=model → group_by=model. */
  params: URLSearchParams;
  /** The zone of days and months (IANA), sent as tz. */
  timeZone: string;
  /** Re-renders the page with new parameters (kept in the fragment, so a view can be bookmarked). */
  navigate: (params: URLSearchParams) => void;
  /** False once the user moved to another page (a slow answer must not draw over the new one). */
  isCurrent: () => boolean;
}

export type PageRender = (context: PageContext) => Promise<void>;

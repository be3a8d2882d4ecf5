/** One recorded outcome of a request or a whole session (docs/outcomes.md); the shape of the `outcomes` table. */
export interface OutcomeRecord {
  id: string;
  /** Epoch ms when it was recorded. */
  at: number;
  /** Exactly one of requestId / sessionId is set. */
  requestId: string | null;
  sessionId: string | null;
  status: 'success' | 'failure' | null;
  /** 0..1; at least one of status / score is set. */
  score: number | null;
  /** The virtual key that recorded it; '' when the gateway runs without keys. */
  keyId: string;
  source: 'api' | 'header';
  note: string | null;
}

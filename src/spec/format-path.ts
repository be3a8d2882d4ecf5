/** `messages[1].content` / `models[3].provider` from a path of keys and indexes; '' for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** The first problem of a failed parse with its path (`content[1].id: …`), or 'unexpected shape' when it has none. */
export function describeFirstIssue(error: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'unexpected shape';
  const path = formatPath(issue.path);
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/**
 * A web address short enough to read aloud and type from paper: the portal's public address without "https://" or
 * "www.", e.g. "wangluek.go.th/track". Only for addresses with nothing secret in them.
 */
export function shortWebAddress(publicUrl: string, path: string): string {
  const url = new URL(path, `${publicUrl.replace(/\/+$/, "")}/`);
  const host = url.host.replace(/^www\./i, "").toLowerCase();
  const rest = url.pathname.replace(/\/+$/, "");
  return `${host}${rest === "/" ? "" : rest}`;
}

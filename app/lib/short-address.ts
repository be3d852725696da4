/**
 * A web address short enough to read aloud and type from paper: the portal's public address without "https://" or
 * "www.", e.g. "wangluek.go.th/track". Only for addresses with nothing secret in them.
 */
export function shortWebAddress(publicUrl: string, path: string): string {
  // The path is the portal's own ("/track"): under the public address's path (an organisation's /o/<code>), not the host's root.
  const url = new URL(path.replace(/^\/+/, ""), `${publicUrl.replace(/\/+$/, "")}/`);
  const host = url.host.replace(/^www\./i, "").toLowerCase();
  const rest = url.pathname.replace(/\/+$/, "");
  return `${host}${rest === "/" ? "" : rest}`;
}

/**
 * The receipt's QR code opens /track#ref=… (the reference only, never the code): the lookup form is filled from the
 * address and the cursor goes to the code. An older receipt's #…&code=… is still read. The address bar is cleared
 * either way, so the reference does not stay in the browser's history.
 */
export function fillTrackFormFromHash(
  referenceInput: HTMLInputElement | null,
  codeInput: HTMLInputElement | null,
  submit: HTMLElement | null,
  maxInput: number,
) {
  const hash = window.location.hash;
  if (!hash || hash.length < 2) return;
  const params = new URLSearchParams(hash.slice(1));
  const ref = params.get("ref");
  const code = params.get("code");
  if (ref && referenceInput) referenceInput.value = ref.slice(0, maxInput);
  if (code && codeInput) codeInput.value = code.slice(0, maxInput);
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  if (ref && code) submit?.focus();
  else if (ref) codeInput?.focus();
}

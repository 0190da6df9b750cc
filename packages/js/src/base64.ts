/** base64url (or base64 without padding) → standard padded base64, for atob. */
export function toStandardBase64(text: string): string {
  const s = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  return s + '='.repeat((4 - (s.length % 4)) % 4);
}

/** Decodes base64url text as UTF-8. */
export function decodeBase64Url(text: string): string {
  const binary = atob(toStandardBase64(text));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

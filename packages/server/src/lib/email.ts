// Email addresses are canonicalised before they are validated, stored or compared
// (security.md): Unicode NFKC (so a full-width "＠" cannot smuggle a second address), then
// lowercase. What is left must be one plain addr-spec: exactly one "@", no quoted local part,
// no commas, whitespace or control characters. The canonical form is what the database stores
// and what every lookup uses, so matching is case-insensitive everywhere.
const LOCAL_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function canonicalEmail(input: string): string | null {
  if (typeof input !== 'string' || input.length > 320) return null;
  const s = input.normalize('NFKC').toLowerCase();
  const at = s.indexOf('@');
  if (at <= 0 || at !== s.lastIndexOf('@')) return null;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.length > 64 || domain.length > 253) return null;
  if (!LOCAL_RE.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((l) => LABEL_RE.test(l))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return null;
  return `${local}@${domain}`;
}

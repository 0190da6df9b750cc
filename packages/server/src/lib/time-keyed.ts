// Secrets whose stored key sorts by creation time (invitation tickets, client cookie tokens).
//
// A random secret stored only as its SHA-256 puts every new row's key on a random page of the
// unique index: each insert then touches another page, and after every checkpoint the WAL carries
// a full image of each page touched (for tickets that was about 40% of a create's WAL). So such a
// secret starts with its creation time (milliseconds, 48 bits, 8 base64url characters) before its
// 256 random bits, and its key is those 6 bytes followed by the digest: new keys land at the end
// of the index, next to each other, as time-ordered ids do. The time is no secret; the 256 bits
// are. A secret of the earlier shape (the 43 characters alone) is keyed by its digest alone, so
// secrets handed out before keep working.

/** The time part: 8 base64url characters of `now` in ms (6 bytes, big-endian). */
export function timePart(now: number = Date.now()): string {
  const time = Buffer.allocUnsafe(6);
  time.writeUIntBE(now, 0, 6);
  return time.toString('base64url');
}

/** Whether a secret's body has the time part: 8 + 43 characters (the earlier shape: 43). */
export const TIMED_LENGTH = 8 + 43;

/** The stored key of a secret body with this digest: its time's 6 bytes (when it has them), then the digest. */
export function timeKey(body: string, digest: Buffer): Buffer {
  return body.length === TIMED_LENGTH ? Buffer.concat([Buffer.from(body.slice(0, 8), 'base64url'), digest]) : digest;
}

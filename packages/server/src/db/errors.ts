/** A PostgreSQL (or PGlite) error with this SQLSTATE, naming this constraint when one is given. */
function isConstraintError(err: unknown, sqlstate: string, constraint: string | undefined): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== sqlstate) return false;
  if (constraint === undefined) return true;
  return e.constraint === constraint || (typeof e.message === 'string' && e.message.includes(constraint));
}

/** PostgreSQL (and PGlite) report a unique violation as SQLSTATE 23505, naming the constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return isConstraintError(err, '23505', constraint);
}

/** A foreign-key violation (SQLSTATE 23503), naming the constraint. */
export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  return isConstraintError(err, '23503', constraint);
}

/** PostgreSQL broke a deadlock by failing this statement (SQLSTATE 40P01); it changed nothing. */
export function isDeadlock(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '40P01';
}

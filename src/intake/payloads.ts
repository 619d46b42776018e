// The events endpoint's shape, checked the way the API does: a malformed event is refused (400).
// Series bodies are read as a stream instead (series-reader.ts): they can be 62 MB.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** `POST /api/v1/events`: needs a non-empty `title` and a `text` (≤ 4000 characters). */
export function parseEvent(body: unknown): { event: Obj; errors?: undefined } | { errors: string[] } {
  if (!isObj(body)) return { errors: ['Payload is not in the expected format: an event object'] };
  const errors: string[] = [];
  if (typeof body.title !== 'string' || body.title === '') errors.push('"title" must be a non-empty string');
  else if (body.title.length > 100) errors.push('"title" must be at most 100 characters');
  if (typeof body.text !== 'string') errors.push('"text" must be a string');
  else if (body.text.length > 4000) errors.push('"text" must be at most 4000 characters');
  if (body.date_happened !== undefined && !isNum(body.date_happened))
    errors.push('"date_happened" must be a number');
  if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string')))
    errors.push('"tags" must be an array of strings');
  return errors.length > 0 ? { errors } : { event: body };
}

// The checks every option written in code goes through: a bad value throws naming the option.

export const fail = (option: string, message: string, type: 'type' | 'range' = 'range'): never => {
  const text = `handlerstats: option "${option}" ${message}`;
  throw type === 'type' ? new TypeError(text) : new RangeError(text);
};

export function num(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) return fail(name, 'must be a number', 'type');
  if (value < min || value > max || (integer && !Number.isInteger(value)))
    fail(name, `must be ${integer ? 'an integer ' : ''}between ${min} and ${max}, got ${value}`);
  return value;
}

export function str(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(name, 'must be a string', 'type');
  return value as string;
}

export function bool(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(name, 'must be a boolean', 'type');
  return value as boolean;
}

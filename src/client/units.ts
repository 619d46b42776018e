// Datadog's metric units (docs.datadoghq.com/metrics/units), by family. A unit is sent on v2 only.
import { fullName, normalizeName, wireName } from '../core/normalize.js';
import { fail } from './check.js';

const FAMILIES = [
  'bit byte kibibyte mebibyte gibibyte tebibyte pebibyte exbibyte',
  'nanosecond microsecond millisecond second minute hour day week',
  'percent_nano percent apdex fraction',
  'connection request packet segment response message payload timeout datagram route session hop',
  'process thread host node fault service instance cpu',
  'file inode sector block',
  'buffer error read write occurrence event time unit operation item task worker resource',
  'garbage_collection email sample stage monitor location check attempt device update method job',
  'container execution throttle invocation user success build prediction exception',
  'table index lock transaction query row key command offset record object cursor assertion scan',
  'document shard flush merge refresh fetch column commit wait ticket question',
  'hit miss eviction get set',
  'dollar cent microdollar euro pound penny yen',
  'page split',
  'hertz kilohertz megahertz gigahertz',
  'entry',
  'decidegree_celsius degree_celsius degree_fahrenheit',
  'nanocore microcore millicore core kilocore megacore gigacore teracore petacore exacore',
  'nanowatt microwatt milliwatt deciwatt watt kilowatt megawatt gigawatt terawatt',
  'milliampere ampere millivolt volt',
  'span run step',
];

export const UNITS: ReadonlySet<string> = new Set(FAMILIES.join(' ').split(' '));

/** `units` keyed by metric name as written in code, checked, and re-keyed by full name. */
export function resolveUnits(units: unknown, namespace: string): Map<string, string> {
  const out = new Map<string, string>();
  if (units === undefined) return out;
  if (typeof units !== 'object' || units === null || Array.isArray(units))
    fail('units', 'must be an object of metric name → unit', 'type');
  for (const [name, unit] of Object.entries(units as Record<string, unknown>)) {
    if (typeof unit !== 'string' || !UNITS.has(unit))
      fail(
        'units',
        `has ${JSON.stringify(unit)} for "${name}": not a Datadog unit (see docs.datadoghq.com/metrics/units)`,
      );
    const normalized = normalizeName(name);
    if (normalized === '')
      fail('units', `has a metric name with no usable characters: ${JSON.stringify(name)}`);
    out.set(wireName(fullName(namespace, normalized), ''), unit as string);
  }
  return out;
}

// Where data and the key go. From code a bad value throws; from the environment it is reported and
// the log transport is used instead — never another site (DESIGN §15).
import { checkApiKey, checkIntakeUrl } from '../transports/policy.js';
import type { MetricsOptions } from '../types.js';
import { fail, str } from './check.js';
import { type Env, type EnvProblem, envValue, read } from './env.js';

const SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'ddog-gov.com',
];
/** A Datadog site as its docs name it (`datadoghq.eu`), or its API host (`api.datadoghq.eu`). */
const isSite = (site: string): boolean => SITES.includes(site.replace(/^api\./, ''));
const siteUrl = (site: string): string => `https://api.${site.replace(/^api\./, '')}`;

/** Where data goes: code first (throws), then the environment (reported, log transport on a bad value). */
export function resolveIntake(
  options: MetricsOptions,
  env: Env,
  problems: EnvProblem[],
): { intakeUrl: string | undefined; toLog: string | undefined } {
  const explicit = str('intakeUrl', options.intakeUrl);
  if (explicit !== undefined)
    return {
      intakeUrl: checkIntakeUrl(explicit, {
        option: 'intakeUrl',
        allowInsecureHttp: options.allowInsecureHttp === true,
      }),
      toLog: undefined,
    };
  const site = str('site', options.site);
  if (site !== undefined) {
    if (!isSite(site)) fail('site', `must be a Datadog site (${SITES.join(', ')}), got "${site}"`);
    return { intakeUrl: siteUrl(site), toLog: undefined };
  }
  const fromEnv = envValue(env, 'DD_DD_URL');
  if (fromEnv !== undefined) {
    try {
      return {
        intakeUrl: checkIntakeUrl(fromEnv, {
          option: 'DD_DD_URL',
          allowInsecureHttp: options.allowInsecureHttp === true,
        }),
        toLog: undefined,
      };
    } catch (error) {
      const why = (error as Error).message.replace(/^handlerstats: option "DD_DD_URL" /, '');
      problems.push({
        variable: 'DD_DD_URL',
        message: `DD_DD_URL ${why}: metrics are written to the log instead`,
      });
      return { intakeUrl: undefined, toLog: 'DD_DD_URL is unusable' };
    }
  }
  const envSite = envValue(env, 'DD_SITE');
  if (envSite !== undefined && !isSite(envSite)) {
    problems.push({
      variable: 'DD_SITE',
      message: `DD_SITE is not a Datadog site (${SITES.join(', ')}): metrics are written to the log instead`,
    });
    return { intakeUrl: undefined, toLog: 'DD_SITE is unusable' };
  }
  return { intakeUrl: siteUrl(envSite ?? 'datadoghq.com'), toLog: undefined };
}

export function resolveApiKey(
  options: MetricsOptions,
  env: Env,
  problems: EnvProblem[],
): { key?: string; broken: boolean } {
  const code = str('apiKey', options.apiKey);
  if (code !== undefined) {
    const key = checkApiKey(code);
    return key === '' ? { broken: false } : { key, broken: false };
  }
  const raw = read(env, 'DD_API_KEY');
  if (raw === undefined || raw.trim() === '') return { broken: false };
  try {
    return { key: checkApiKey(raw, 'DD_API_KEY'), broken: false };
  } catch {
    problems.push({
      variable: 'DD_API_KEY',
      message: 'DD_API_KEY contains control characters: metrics are written to the log instead',
    });
    return { broken: true };
  }
}

import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { type Intake, startIntake } from '../../src/intake/index.js';
import { postJson } from '../helpers/intake-http.js';

// A real headless Chromium opens the intake's page and watches it follow a real client's flushes.
let intake: Intake;
let browser: Browser;
const CHROMIUM = '/usr/bin/chromium';
beforeAll(async () => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(
      `the intake page test needs Chromium at ${CHROMIUM}: install the Debian package "chromium" ` +
        '(npm test does it itself as root on Debian: scripts/provision.mjs)',
    );
  }
  intake = await startIntake({ quiet: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await intake?.close();
});

describe('live web page', () => {
  it('shows one chart per received series and redraws after a new flush', { timeout: 30_000 }, async () => {
    const metrics = createMetrics({
      intakeUrl: intake.url,
      apiKey: 'test-key',
      flushInterval: 0,
      namespace: 'web',
    });
    const t = Math.floor(Date.now() / 1000);
    metrics.increment('requests', 2, { tags: { route: '/checkout' }, timestamp: t });
    metrics.increment('requests', 1, { tags: { route: '/cart' }, timestamp: t });
    metrics.increment('requests', 4, { tags: { route: '/cart' }, timestamp: t - 40 });
    metrics.gauge('queue.depth', 12);
    metrics.gauge('queue.depth', 7, { timestamp: t - 20 });
    for (const v of [12, 15, 31, 48, 9]) metrics.distribution('latency', v);
    await metrics.flush();
    const before = intake.received();
    const expectedKeys = [...before.series, ...before.distributions].map((s) => s.key).sort();
    expect(expectedKeys.length).toBe(4);

    const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    const outside: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(intake.url)) outside.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${intake.url}/`);
    const cards = page.locator('section.card');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(4);
    const keys = await cards.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.series ?? ''));
    expect(keys.sort()).toEqual(expectedKeys);
    expect(await page.locator('section.card svg.chart').count()).toBe(4);
    const cart = page.locator('section.card', { hasText: 'route:/cart' });
    expect(await cart.getAttribute('data-points')).toBe('2');

    // A second flush in the same bucket: a new series appears, the cart series is rewritten.
    metrics.increment('requests', 5, { tags: { route: '/cart' }, timestamp: t }); // same bucket, seconds later
    metrics.gauge('new.metric', 3);
    await metrics.close();
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(5);
    await expect.poll(() => cart.getAttribute('data-writes'), { timeout: 10_000 }).toBe('3');
    await expect.poll(() => cart.locator('.big').textContent()).toBe('6');
    expect(await page.locator('section.card', { hasText: 'web.new.metric' }).count()).toBe(1);
    // A name sent as a series too (web.latency is a distribution) is flagged on both cards; a v2 unit shows.
    expect(await page.locator('section.card .tag.conflict').count()).toBe(0);
    await postJson(intake.url, '/api/v1/series', {
      series: [{ metric: 'web.latency', type: 'gauge', points: [[t, 1]] }],
    });
    await postJson(intake.url, '/api/v2/series', {
      series: [{ metric: 'web.payload', type: 3, unit: 'byte', points: [{ timestamp: t, value: 512 }] }],
    });
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(7);
    const conflicted = page.locator('section.card[data-conflict="true"]', { hasText: 'web.latency' });
    await expect.poll(() => conflicted.count(), { timeout: 10_000 }).toBe(2);
    expect(await conflicted.locator('.tag.conflict').count()).toBe(2);
    expect(
      await page.locator('section.card', { hasText: 'web.payload' }).locator('.tag').allTextContents(),
    ).toContain('unit:byte');
    await expect.poll(() => page.locator('#summary').textContent()).toMatch(/1 type conflicts/);
    await page.screenshot({ path: '/tmp/handlerstats-intake-page.png', fullPage: true });
    // Forgetting everything (DELETE /api/received) empties the page.
    intake.clear();
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(0);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

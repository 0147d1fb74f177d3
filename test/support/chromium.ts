import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * `describe` when Chromium is installed, else `describe.skip` with a warning on a developer's
 * machine; in CI (`CI=true`) a missing browser fails the run instead of skipping it.
 */
export function browserDescribe(what: string): jest.Describe {
  if (fs.existsSync(CHROMIUM)) return describe;
  if (process.env.CI === 'true')
    throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
  console.warn(
    `Skipping the ${what} browser tests: ${CHROMIUM} is missing. Install it with: apt-get install -y chromium`,
  );
  return describe.skip;
}

/** Headless Chromium as every browser test starts it: no sandbox (root in CI), no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// Subpath @portico/testing/browser (shared by id-vault's upload page spec and test/e2e).
// Debian's Chromium driven by playwright-core (Playwright's own browser download cannot work on
// these machines; see DESIGN.md). A missing browser or CJK font fails the test with what to install:
// CI installs both (ensure_browser in deploy/local/lib.sh), so a skip would only hide a broken setup.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const HOW_TO_INSTALL =
  'run test/run-all.sh (ensure_browser in deploy/local/lib.sh installs them), or as root: ' +
  'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk';

/** Throws, saying how to install them, when Chromium or a Chinese font is missing. */
export function assertBrowserInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: this test drives Debian's Chromium; ${HOW_TO_INSTALL}`);
  }
  let families = '';
  try {
    families = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  } catch {
    /* no fontconfig: treated as no font */
  }
  if (!families.trim()) {
    throw new Error(
      `no font with Chinese glyphs (fc-list :lang=zh is empty): Chromium would draw the zh page as ` +
        `empty boxes and its screenshots would be useless; ${HOW_TO_INSTALL}`,
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  assertBrowserInstalled();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A resident's phone: the screen the link pages are designed for first, in China's locale and time. */
export const PHONE_CONTEXT: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

/**
 * The element that has the keyboard focus, as "tag#id" or "tag:text" (readable in a failure).
 * In-page code is passed as a string: the repository compiles without the DOM library.
 */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return 'body';
    return e.id ? e.tagName.toLowerCase() + '#' + e.id : e.tagName.toLowerCase() + ':' + e.textContent.trim();
  })()`);
}

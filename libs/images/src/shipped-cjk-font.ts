import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The CJK font the project ships (@embedpdf/fonts-sc, Noto Sans Hans, SIL OFL) for everything that
 * draws Chinese text: id-vault's watermark, claims' evidence PDF. Renderers never fail on a missing
 * font — they substitute one and draw □□□ boxes — so a missing file is an error here, at once.
 */
export class ShippedFontError extends Error {
  override readonly name = 'ShippedFontError';
}

export const CJK_FONT_PACKAGE = '@embedpdf/fonts-sc';
export type ShippedCjkFontFile =
  | 'NotoSansHans-Light.otf'
  | 'NotoSansHans-DemiLight.otf'
  | 'NotoSansHans-Regular.otf'
  | 'NotoSansHans-Medium.otf'
  | 'NotoSansHans-Bold.otf';

/**
 * Absolute path of a font shipped in @embedpdf/fonts-sc. The package's `exports` map only exposes
 * "." (its JS entry), so `require.resolve('@embedpdf/fonts-sc/fonts/…')` and even
 * `…/package.json` throw ERR_PACKAGE_PATH_NOT_EXPORTED. Both are still tried first (a later
 * version may export them), then the entry point is resolved and the package root is found from
 * it — the entry lives in `<root>/dist/`, the fonts in `<root>/fonts/`.
 */
export function locateShippedCjkFont(fileName: string): string {
  const attempts: string[] = [];
  const tryResolve = (request: string): string | undefined => {
    try {
      return require.resolve(request);
    } catch (error) {
      attempts.push(`${request}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return undefined;
    }
  };
  const candidates: Array<() => string | undefined> = [
    () => tryResolve(`${CJK_FONT_PACKAGE}/fonts/${fileName}`),
    () => {
      const manifest = tryResolve(`${CJK_FONT_PACKAGE}/package.json`);
      return manifest && join(dirname(manifest), 'fonts', fileName);
    },
    () => {
      const entry = tryResolve(CJK_FONT_PACKAGE);
      return entry && join(dirname(entry), '..', 'fonts', fileName);
    },
  ];
  for (const candidate of candidates) {
    const file = candidate();
    if (file && isFile(file)) return file;
    if (file) attempts.push(`${file}: no such file`);
  }
  throw new ShippedFontError(
    `font ${fileName} from ${CJK_FONT_PACKAGE} not found — refusing to render tofu (tried ${attempts.join('; ')})`,
  );
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

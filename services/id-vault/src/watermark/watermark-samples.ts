/**
 * Writes sample watermarked images (synthetic inputs only) for a human to look at, and times
 * applyWatermark. Not part of the service; run from the repository root:
 *   node -r ./libs/messaging/src/test-support/ts-require-hook.js \
 *     services/id-vault/src/watermark/watermark-samples.ts [/tmp/watermark-samples]
 * PNG copies are written next to the JPEGs because some viewers only show PNG.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { syntheticCardJpeg, whiteJpeg } from './test-images';
import { applyWatermark } from './watermark';
import { buildWatermarkText } from './watermark-text';

async function main(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const text = buildWatermarkText({ carrier: '顺丰速运', waybill: 'SF1234567890' });
  const inputs = { white: await whiteJpeg(), card: await syntheticCardJpeg() };
  for (const [name, input] of Object.entries(inputs)) {
    const first = process.hrtime.bigint();
    const out = await applyWatermark(input, { text });
    const firstMs = Number(process.hrtime.bigint() - first) / 1e6;
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = process.hrtime.bigint();
      await applyWatermark(input, { text });
      runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    runs.sort((a, b) => a - b);
    writeFileSync(join(dir, `${name}.jpg`), out);
    await sharp(out)
      .png()
      .toFile(join(dir, `${name}.png`));
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    // A command-line tool's report, not service logging.
    process.stdout.write(
      `${name}: first call ${ms(firstMs)}, then median ${ms(runs[10])}, max ${ms(runs[19])} over 20 (2000x1260, ${out.length} bytes)\n`,
    );
  }
}

main(process.argv[2] ?? '/tmp/watermark-samples').catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// The relay watermark of id-vault: see watermark.ts for the approach.
export { applyWatermark, prepareWatermark, WatermarkError, type WatermarkOptions } from './watermark';
export {
  loadWatermarkFont,
  shippedWatermarkFont,
  WatermarkFontError,
  type WatermarkFont,
} from './watermark-font';
export { buildWatermarkText, WatermarkTextError, type WatermarkTextInput } from './watermark-text';

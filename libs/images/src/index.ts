// @portico/images: the generic intake of uploaded images, shared by id-vault (ID documents) and
// claims (damage photos, receipts): magic-byte type sniffing that refuses polyglots, byte and
// header pixel caps before any decode, one decode upright with metadata gone, the stored JPEG's
// encoder; the gate that admits only a few uploads at a time; and the project's shipped CJK font
// for anything that draws Chinese text.
export { detectImageType, DEFAULT_TRAILING_SLACK_BYTES } from './image-type';
export type { ImageType, ImageTypeOptions, ImageTypeVerdict } from './image-type';
export {
  canDecodeHeic,
  decodeUntrustedImage,
  DEFAULT_IMAGE_LIMITS,
  encodeStoredJpeg,
  IMAGE_FAILURE_CODES,
  normaliseToJpeg,
  undecodableCode,
} from './untrusted-image';
export type {
  DecodedImage,
  ImageFailure,
  ImageFailureCode,
  ImageLimits,
  StoredJpeg,
  UprightPixels,
} from './untrusted-image';
export {
  CJK_FONT_PACKAGE,
  locateShippedCjkFont,
  ShippedFontError,
  type ShippedCjkFontFile,
} from './shipped-cjk-font';
export { UPLOAD_RETRY_AFTER_SECONDS, UploadBusyError, UploadGate } from './upload-gate';

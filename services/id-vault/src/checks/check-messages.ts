import { common } from '@portico/contracts';
import type { CheckFailure, DocumentCheckCode } from './check-codes';

/**
 * What the resident reads on the upload page, right after pressing send, on a phone. Each message
 * says what is wrong and what to do now; the hint adds the detail that most often fixes it. They are
 * fixed texts: no name, number, date or file name is ever interpolated, so a message can be logged,
 * sent by SMS or shown to a steward without carrying personal data.
 */
export interface LocalisedText {
  readonly en: string;
  readonly zh: string;
}

export interface CheckMessage extends LocalisedText {
  readonly hint?: LocalisedText;
}

export const CHECK_MESSAGES: Readonly<Record<DocumentCheckCode, CheckMessage>> = {
  wrong_file_type: {
    en: 'This file is not a photo we can accept: please send a JPEG or PNG photo of the document.',
    zh: '该文件不是可接受的照片格式：请上传证件的 JPEG 或 PNG 照片。',
    hint: {
      en: 'Take the photo with your camera, or choose it from your photo gallery rather than from files, chats or PDFs.',
      zh: '请直接用相机拍摄，或从相册中选择照片，不要选择文件、聊天记录或 PDF。',
    },
  },
  unsupported_format: {
    en: 'We cannot open this photo format (such as HEIC): please send the photo as a JPEG.',
    zh: '暂不支持该照片格式（如 HEIC）：请以 JPEG 格式重新上传。',
    hint: {
      en: 'On an iPhone: Settings > Camera > Formats > Most Compatible, then take the photo again. Or take a screenshot of the photo and send that.',
      zh: 'iPhone 可在"设置 > 相机 > 格式"中选择"兼容性最佳"后重拍；也可以对照片截图后上传截图。',
    },
  },
  too_large: {
    en: 'The file is too large: please send a smaller photo.',
    zh: '文件太大：请上传较小的照片。',
    hint: {
      en: 'A normal camera photo is fine; avoid RAW, "high resolution" or panorama modes.',
      zh: '普通相机照片即可，请勿使用 RAW、超高像素或全景模式。',
    },
  },
  too_many_pixels: {
    en: 'The image is too large in resolution: please send a normal camera photo.',
    zh: '图片分辨率过高：请上传普通相机拍摄的照片。',
    hint: {
      en: 'Switch off "high resolution" (e.g. 48 MP / 108 MP) mode, or send a screenshot of the photo.',
      zh: '请关闭"超高像素"（如 4800 万 / 1 亿像素）模式，或对照片截图后上传。',
    },
  },
  corrupt: {
    en: 'The photo could not be read completely: please send it again.',
    zh: '照片无法完整读取：请重新上传。',
    hint: {
      en: 'If it fails again, take a new photo and wait until the upload has finished.',
      zh: '如仍失败，请重新拍摄，并等待上传完成后再离开页面。',
    },
  },
  blurry: {
    en: 'The photo is blurry: hold the phone steady, in good light, and try again.',
    zh: '照片不够清晰：请在光线充足处保持手机稳定后重拍。',
    hint: {
      en: 'Place the card on a table, tap the card on the screen to focus, and make sure all text is readable before sending.',
      zh: '将证件平放在桌面上，点击屏幕上的证件对焦，确认文字清晰可读后再上传。',
    },
  },
  card_aspect_ratio: {
    en: 'We could not see a whole card in the photo: photograph the card alone, with all four corners visible.',
    zh: '照片中未识别到完整的证件：请单独拍摄证件，并确保四个角都在画面内。',
    hint: {
      en: 'Lay the card on a plain, darker surface, hold the phone straight above it, and leave a little space around the card.',
      zh: '请将证件放在颜色较深的纯色桌面上，手机正对证件拍摄，证件四周留出少许空白。',
    },
  },
  id_number_checksum: {
    en: 'The ID number does not look right: please check each digit against your card.',
    zh: '身份证号码有误：请对照证件逐位核对。',
    hint: {
      en: 'It has 18 characters; the last one can be a digit or the letter X.',
      zh: '身份证号码共 18 位，最后一位可能是数字或字母 X。',
    },
  },
  id_number_birth_date: {
    en: 'The birth date in the ID number is not possible: please check the number against your card.',
    zh: '身份证号码中的出生日期不正确：请对照证件核对号码。',
    hint: {
      en: 'Characters 7 to 14 are your birth date (year, month, day).',
      zh: '第 7 至 14 位为出生日期（年月日）。',
    },
  },
  id_number_region: {
    en: 'The ID number does not start with a valid region code: please check the first six digits against your card.',
    zh: '身份证号码的地区代码无效：请对照证件核对前六位。',
  },
  card_expired: {
    en: 'This card has expired: please send a document that is still valid.',
    zh: '该证件已过有效期：请上传仍在有效期内的证件。',
    hint: {
      en: 'The validity period is on the back of the ID card. If you typed the date, check it as well.',
      zh: '有效期限印在身份证背面；如为手动填写，请一并核对日期。',
    },
  },
  name_mismatch: {
    en: 'The name does not match the name on the parcel: please type your name exactly as on the parcel.',
    zh: '姓名与包裹上的收件人姓名不一致：请按包裹上的收件人姓名填写。',
    hint: {
      en: 'If the parcel is addressed to another person, that person needs to send their own document.',
      zh: '如包裹收件人为他人，需由收件人本人提交证件。',
    },
  },
  side_missing: {
    en: 'A side of the document is missing: please add a photo of it.',
    zh: '缺少证件的一面：请补充这一面的照片。',
    hint: {
      en: 'ID cards and travel permits need both the front and the back.',
      zh: '身份证和通行证需要正反两面照片。',
    },
  },
  wrong_document_type: {
    en: 'This is not the document we asked for: please send the document named on this page.',
    zh: '这不是所要求的证件：请上传本页面所列的证件。',
  },
};

const SIDE_LABELS: Partial<Record<common.DocumentSide, LocalisedText>> = {
  [common.DocumentSide.FRONT]: { en: 'Front', zh: '正面' },
  [common.DocumentSide.BACK]: { en: 'Back', zh: '背面' },
  [common.DocumentSide.SINGLE_PAGE]: { en: 'Photo', zh: '照片' },
};

/** The message for one failure, labelled with the side it concerns ("Back: ..." / "【背面】..."). */
export function describeFailure(failure: CheckFailure): CheckMessage {
  const message = CHECK_MESSAGES[failure.code];
  const label = failure.side === undefined ? undefined : SIDE_LABELS[failure.side];
  if (!label) return message;
  return { ...message, en: `${label.en}: ${message.en}`, zh: `【${label.zh}】${message.zh}` };
}

import { Injectable } from '@nestjs/common';
import { Watermarker } from '../relay/watermarker';
import { applyWatermark } from './watermark';
import { buildWatermarkText } from './watermark-text';

/** The relay's Watermarker: the shipped CJK font, diagonal and tiled (see watermark.ts). */
@Injectable()
export class SharpWatermarker extends Watermarker {
  apply(
    jpeg: Buffer,
    mark: { readonly carrierLabel: string; readonly trackingNumber: string },
  ): Promise<Buffer> {
    return applyWatermark(jpeg, {
      text: buildWatermarkText({ carrier: mark.carrierLabel, waybill: mark.trackingNumber }),
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { ClaimsConfig } from '../config';
import { CLAIMS_CONFIG } from '../shared/tokens';
import { ApiCarrierClaims } from './api-carrier-claims';
import { channelFor } from './carrier-channels';
import type { CarrierClaimsGateway } from './carrier-claims-gateway';
import { EmailCarrierClaims } from './email-carrier-claims';

/** A carrier without a configured channel: its requests fail (visible in the request row and metrics). */
export class CarrierUnconfiguredError extends Error {
  constructor() {
    super('no claims channel is configured for this carrier (CLAIMS_CARRIER_CHANNELS)');
    this.name = 'CarrierUnconfiguredError';
  }
}

/** The gateway of a carrier, from CLAIMS_CARRIER_CHANNELS (its own entry, else `default`). */
@Injectable()
export class CarrierGateways {
  private readonly cache = new Map<string, CarrierClaimsGateway>();

  constructor(@Inject(CLAIMS_CONFIG) private readonly config: ClaimsConfig) {}

  for(carrierCode: string): CarrierClaimsGateway {
    const channel = channelFor(this.config.carrierChannels, carrierCode);
    if (!channel) throw new CarrierUnconfiguredError();
    const key = channel.channel === 'api' ? `api:${channel.baseUrl}` : `email:${channel.to}`;
    let gateway = this.cache.get(key);
    if (!gateway) {
      if (channel.channel === 'api') gateway = new ApiCarrierClaims(channel.baseUrl, channel.apiKey);
      else {
        if (!this.config.smtpUrl) throw new CarrierUnconfiguredError();
        gateway = new EmailCarrierClaims(
          createTransport(this.config.smtpUrl),
          this.config.emailFrom,
          channel.to,
        );
      }
      this.cache.set(key, gateway);
    }
    return gateway;
  }
}

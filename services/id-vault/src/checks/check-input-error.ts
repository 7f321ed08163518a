/**
 * The submission itself is malformed (a programming or request error, not a problem with the
 * resident's document): the controller maps it to a 400. It names the field, never its value: the
 * value may be an ID number or a name, and errors end up in logs and spans.
 */
export class DocumentCheckInputError extends Error {
  constructor(
    readonly field: 'sides' | 'requestedType' | 'cardExpiry',
    reason: string,
  ) {
    super(`invalid document submission: ${field} ${reason}`);
    this.name = 'DocumentCheckInputError';
  }
}

// A real SMTP server for tests and the failure queue the simulators share (subpath @portico/testing/smtp).
export { FailurePlan } from './failure-plan';
export { SmtpSink, type ReceivedMail } from './smtp-sink';

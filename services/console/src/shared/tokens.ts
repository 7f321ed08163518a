export type Clock = () => Date;
export const CLOCK = 'console:clock';
export const CONSOLE_CONFIG = 'console:config';

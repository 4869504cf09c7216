import type { ChannelType } from '../../domain/types';
import type { Formatter } from '../notification';
import { formatPagerDuty } from './pagerduty';
import { formatSlack } from './slack';
import { formatWebhook } from './webhook';

/** The compiler refuses a channel type without a formatter. */
export const FORMATTERS: Record<ChannelType, Formatter> = {
  webhook: formatWebhook,
  slack: formatSlack,
  pagerduty: formatPagerDuty,
};

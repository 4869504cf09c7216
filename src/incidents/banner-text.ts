/**
 * What end users read in the app's banner when the operator wrote nothing, and the progress line under it. Plain
 * strings with no imports: the dashboard's banner preview shows exactly these.
 */
export const GENERIC_TITLE = 'Some users may have trouble logging in';

export const PROGRESS = {
  open: 'We are aware of the problem and looking into it.',
  acknowledged: 'Our team is working on a fix.',
} as const;

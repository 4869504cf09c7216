import type { PostmortemContent, PostmortemFacts, TimelineEntry } from '../types';
import { acknowledgementDelayMs, factsOf, pageDelayMs, type ExtraFacts, type ResolvedIncident } from './facts';
import { count, duration, percent, utcDate, utcTime } from '../format';
import { correctiveActions, sliceName } from './measures';
import { postmortemTimeline } from './timeline';

/** How close a release and the start of trouble must be to read as "at the same time". */
const SAME_TIME_MS = 5 * 60_000;

/**
 * The first draft of a postmortem, written from what Vigil saw. Pure: the same incident and clock value give the
 * same draft, so a re-draft after a crash or a relapse is predictable. `now` dates the tasks.
 */
export function draftPostmortem(incident: ResolvedIncident, now: number, extra?: ExtraFacts): PostmortemContent {
  const facts = factsOf(incident, extra);
  const timeline = postmortemTimeline(incident);
  return {
    title: titleOf(incident),
    summary: summaryOf(incident, facts),
    facts,
    timeline,
    rootCause: rootCauseOf(incident, facts),
    resolution: resolutionOf(incident, timeline),
    ...correctiveActions(incident, facts, now),
  };
}

function titleOf(incident: ResolvedIncident): string {
  const what = incident.kind === 'volume_drop' ? 'Login volume drop' : 'Login failures';
  const where = incident.suspectedCause ? `in ${sliceName(incident.suspectedCause)}` : 'across all versions';
  return `${what} ${where}, ${utcDate(incident.startedAt)}`;
}

function span(from: number, to: number): string {
  return utcDate(from) === utcDate(to)
    ? `on ${utcDate(from)} from ${utcTime(from)} to ${utcTime(to)} UTC`
    : `from ${utcDate(from)} ${utcTime(from)} to ${utcDate(to)} ${utcTime(to)} UTC`;
}

const volume = (incident: ResolvedIncident) =>
  `logins dropped to ${count(incident.impact.loginsPerMinute ?? 0)}/min against ${count(incident.impact.baselineLoginsPerMinute ?? 0)}/min usually`;

function summaryOf(incident: ResolvedIncident, f: PostmortemFacts): string {
  const users = `${count(f.affectedUsers)} users affected (${percent(f.affectedUserPct)} of active users)`;
  const impact =
    incident.kind === 'volume_drop'
      ? `For ${duration(f.durationMs)}, ${span(f.startedAt, f.resolvedAt)}, ${volume(incident)}: ${users}.`
      : `For ${duration(f.durationMs)}, ${span(f.startedAt, f.resolvedAt)}, ${percent(f.peakErrorRate)} of logins failed at the peak ` +
        `against a baseline of ${percent(f.baselineErrorRate)}: ${count(f.failedLogins)} failed logins and ${users}.`;
  const cause = f.suspectedCause;
  const where = cause
    ? `The trouble was concentrated in ${sliceName(cause)} (${percent(cause.share)} of the excess)` +
      (cause.release ? `, released at ${utcTime(cause.release.releasedAt)} UTC.` : '.')
    : 'No single version, platform or region stood out: every slice was affected.';
  const banner = incident.publicMessage
    ? `Users were told in the app: “${incident.publicMessage}”`
    : 'The in-app banner showed only the generic message: no public message was set.';
  return [impact, where, responseOf(f), banner].join(' ');
}

function responseOf(f: PostmortemFacts): string {
  const page = pageDelayMs(f);
  const ack = acknowledgementDelayMs(f);
  const detected = `Vigil detected the anomaly ${duration(f.detectionLagMs)} after it began`;
  const paged = page === null ? ', but nobody was paged' : ` and paged on-call ${duration(page)} later`;
  const acked =
    ack === null
      ? 'nobody acknowledged it before it resolved'
      : `it was acknowledged ${duration(ack)} after ${page === null ? 'detection' : 'the page'}`;
  return `${detected}${paged}; ${acked}.`;
}

function rootCauseOf(incident: ResolvedIncident, f: PostmortemFacts): string {
  const symptom =
    incident.kind === 'volume_drop'
      ? `Logins dropped to ${count(incident.impact.loginsPerMinute ?? 0)}/min: the pattern of an app that fails before users ` +
        'reach the login (a crash at start, an unreachable endpoint). '
      : '';
  const cause = f.suspectedCause;
  if (!cause) {
    return (
      `${symptom}The excess was spread over every app version, platform and region: no single slice explains it. That points ` +
      'at something every client shares, such as the authentication backend or one of its dependencies, rather than an ' +
      'app release. Record the confirmed cause here.'
    );
  }
  const what = incident.kind === 'volume_drop' ? 'missing logins' : 'login failures';
  const share = `Vigil attributes ${percent(cause.share)} of the excess ${what} to ${sliceName(cause)}.`;
  let release: string;
  if (cause.release) {
    const gap = f.startedAt - cause.release.releasedAt;
    const when =
      Math.abs(gap) < SAME_TIME_MS
        ? 'just as the trouble began'
        : gap > 0
          ? `${duration(gap)} before the trouble began`
          : `${duration(-gap)} after the estimated start`;
    release = `Version ${cause.release.appVersion} was released at ${utcTime(cause.release.releasedAt)} UTC, ${when}: that release is the suspected cause.`;
  } else if (cause.dimension === 'appVersion') {
    release = `No release of ${cause.value} was registered with Vigil, so the change behind it is not named here.`;
  } else {
    release = `No release was registered shortly before: look for a change that affects only ${sliceName(cause)}.`;
  }
  return `${symptom}${share} ${release} Confirm the defect and record it here.`;
}

function resolutionOf(incident: ResolvedIncident, timeline: TimelineEntry[]): string {
  const mitigations = timeline.filter((e) => e.type === 'mitigated').map((e) => `${e.message} (${utcTime(e.at)} UTC).`);
  const resolved = timeline.filter((e) => e.type === 'resolved').at(-1);
  const how = resolved?.by
    ? `${resolved.message} (${utcTime(incident.resolvedAt)} UTC).`
    : `Login metrics returned to baseline and Vigil resolved the incident automatically at ${utcTime(incident.resolvedAt)} UTC.`;
  return [...mitigations, how, 'Record the fix that was shipped and how it was verified.'].join(' ');
}

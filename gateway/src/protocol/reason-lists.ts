// Each list is written once, here: the type, the metric label values and the zero-initialised
// records of `GET /api/stats` are all derived from it, so a new reason cannot be counted in one
// place and missing in another.

/** The kinds of target a push can have (label `target` of the push counter). */
export const PUSH_TARGET_KINDS = ['user', 'tag', 'all'] as const;
export type PushTargetKind = (typeof PUSH_TARGET_KINDS)[number];

/** Why a delivery was not made: the connection was cut as a slow consumer, or closed before the write. */
export const DROP_REASONS = ['slow_consumer', 'closed'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Why a push was refused or failed; `internal`: the gateway failed (answered 500), never expected, always worth a look. */
export const PUSH_ERROR_REASONS = ['invalid', 'too_large', 'bus', 'internal'] as const;
export type PushErrorReason = (typeof PUSH_ERROR_REASONS)[number];

/** Why a connection closed; `expired`: its token expired and was not renewed within the refresh grace (4003). */
export const CLOSE_REASONS = ['normal', 'error', 'slow_consumer', 'policy', 'timeout', 'shutdown', 'kicked', 'expired'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** How a `token` frame was answered (label `result` of `wsgw_token_renewals_total`): `token_accepted` or `token_refused`. */
export const TOKEN_RENEWAL_RESULTS = ['accepted', 'refused'] as const;
export type TokenRenewalResult = (typeof TOKEN_RENEWAL_RESULTS)[number];

/** Why an upgrade request was refused. */
export const REJECT_REASONS = ['auth', 'limit', 'origin', 'rate'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * How a stream's resume ended (label `result` of `wsgw_resumes_total`): `recovered` every push after
 * the client's position was still held; `gap` some were no longer held; `unknown_epoch` the
 * client's epoch is not the stream's (its history was lost since).
 */
export const RESUME_RESULTS = ['recovered', 'gap', 'unknown_epoch'] as const;
export type ResumeResult = (typeof RESUME_RESULTS)[number];

/** The kinds of message the bus carries between nodes (label `kind` of the invalid bus message counter). */
export const BUS_MESSAGE_KINDS = ['push', 'signal'] as const;
export type BusMessageKind = (typeof BUS_MESSAGE_KINDS)[number];

/** What a tag change did to a connection (label `change` of `wsgw_tag_changes_total`). */
export const TAG_CHANGE_KINDS = ['added', 'removed'] as const;
export type TagChangeKind = (typeof TAG_CHANGE_KINDS)[number];

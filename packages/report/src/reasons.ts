/**
 * What each policy reason code means, for SARIF rules and human reports. The codes are those the
 * policy engine of @clearance/core writes into `verdict.reasons` (docs/policy.md); a code not listed
 * here is still reported, under its own name.
 */
export const REASON_DOCS: Readonly<Record<string, { title: string; meaning: string }>> = {
  'licence.allowed': { title: 'Licence allowed', meaning: 'The effective licence is allowed by the policy.' },
  'licence.denied': { title: 'Licence denied by the policy', meaning: 'The effective licence is on the policy\'s deny list.' },
  'licence.unlisted': { title: 'Licence neither allowed nor denied', meaning: 'The effective licence is identified but the policy neither allows nor denies it.' },
  'licence.unknown': { title: 'Licence unknown', meaning: 'No licence could be determined for the file, or the licence statement found is not identified.' },
  'licence.partly-unknown': { title: 'Licence partly unidentified', meaning: 'The identified licence is allowed, but a licence text that applies at the same level is not identified yet and may say something else.' },
  'licence.conflict': { title: 'Licence statements disagree', meaning: 'Licence statements at the same level name different licences; none is chosen for you.' },
  'optout.reserved': { title: 'Text and data mining reserved', meaning: 'A machine-readable reservation of text-and-data-mining rights applies to the file, and the policy honours that protocol.' },
  'optout.unknown': { title: 'Text and data mining may be reserved', meaning: 'A reservation protocol applies to the file but could not be read for sure.' },
  'optout.not-honoured': { title: 'Reservation not honoured by the policy', meaning: 'A reservation applies, but the policy does not honour that protocol.' },
  'tpm.present': { title: 'Guarded by a technical protection measure', meaning: 'The file is encrypted or otherwise protected so that it cannot be opened without a secret; circumventing it is forbidden (DMCA §1201, InfoSoc Art. 6).' },
  'tpm.restrictions': { title: 'Usage restricted by a protection measure', meaning: 'The file opens without a secret but carries technical restrictions (for example on copying or extraction).' },
  error: { title: 'File could not be read', meaning: 'The scan could not read the file (see the error code); nothing is known about it.' },
};

/** The title of a reason code, or the code itself. */
export function reasonTitle(code: string): string {
  return REASON_DOCS[code]?.title ?? code;
}

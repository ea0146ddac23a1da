/**
 * The life of a records transfer, as the Records Transfer tab and Process
 * Alerts show it (seeds/002, DESIGN §6). Each district keeps its own copy of
 * the transfer: the requesting side sees its request travel, the releasing
 * side works it.
 *
 * - requested: the request was sent (requesting side) or has arrived (releasing side);
 * - match-error: the releasing side found no student or several (never guesses);
 * - pending-release: exactly one student matched; waiting for a person with the right;
 * - released: the records were sealed and sent;
 * - rejected: a person refused the request, or the requester received the match error;
 * - received: the requesting side holds the verified packet.
 */
export type TransferStatus = 'requested' | 'match-error' | 'pending-release' | 'released' | 'rejected' | 'received';

/** Which side of the transfer a node is on. */
export type TransferSide = 'requesting' | 'releasing';

const NEXT: Record<TransferSide, Record<TransferStatus, readonly TransferStatus[]>> = {
  releasing: {
    requested: ['match-error', 'pending-release', 'released', 'rejected'],
    // A person may pick the right student among near candidates, or refuse.
    'match-error': ['pending-release', 'rejected'],
    'pending-release': ['released', 'rejected'],
    released: [],
    rejected: [],
    received: [],
  },
  requesting: {
    // Status updates from the releasing side, then the packet.
    requested: ['match-error', 'pending-release', 'released', 'rejected', 'received'],
    'match-error': ['pending-release', 'released', 'rejected', 'received'],
    'pending-release': ['released', 'rejected', 'received'],
    released: ['received'],
    rejected: [],
    received: [],
  },
};

/** Whether a transfer on `side` may move from `from` to `to`. */
export function canMove(side: TransferSide, from: TransferStatus, to: TransferStatus): boolean {
  return NEXT[side][from].includes(to);
}

/** Whether nothing more can happen to a transfer. */
export function isFinal(side: TransferSide, status: TransferStatus): boolean {
  return NEXT[side][status].length === 0;
}

/** The label the Records Transfer list shows for a status. */
export function statusLabel(status: TransferStatus): string {
  return {
    requested: 'request',
    'match-error': 'match error',
    'pending-release': 'pending release',
    released: 'released',
    rejected: 'rejected',
    received: 'received',
  }[status];
}

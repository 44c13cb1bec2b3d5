import type { DeliveryRecord } from '@wsgw/gateway/protocol';

export interface SlowSelection {
  /** The delivery whose waterfall is shown; kept after it leaves the feed's list. */
  readonly selected: DeliveryRecord | undefined;
  select(record: DeliveryRecord): void;
  clear(): void;
}

/** Lives beside the feed rather than in the view, so switching tabs does not lose the selection. */
export function createSlowSelection(): SlowSelection {
  let selected = $state.raw<DeliveryRecord | undefined>(undefined);
  return {
    get selected() {
      return selected;
    },
    select(record) {
      selected = record;
    },
    clear() {
      selected = undefined;
    },
  };
}

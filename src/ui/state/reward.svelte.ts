// App state for the reward settings behind the sliders: validated live, kept in IndexedDB, reset to the released values.
import { DEFAULT_REWARD_PARAMS, RewardParamError, validateRewardParams, type RewardParams } from '../../rl';
import { getSetting, putSetting } from '../../data/store';
import { database } from './database';

const SETTING_REWARD_PARAMS = 'reward.params';

class RewardState {
  /** What the sliders show, possibly invalid while the user drags τ2 past τ1. */
  draft = $state<RewardParams>({ ...DEFAULT_REWARD_PARAMS });
  /** The last valid settings: everything scores with these. */
  params = $state<RewardParams>({ ...DEFAULT_REWARD_PARAMS });
  error = $state<{ param: string; message: string } | null>(null);

  async restore(): Promise<void> {
    const saved = await getSetting<RewardParams>(await database(), SETTING_REWARD_PARAMS).catch(
      () => undefined,
    );
    if (saved) this.set({ ...DEFAULT_REWARD_PARAMS, ...saved }, false);
  }

  /** Applies one change; an invalid combination is shown on its parameter and not applied. */
  update<K extends keyof RewardParams>(key: K, value: RewardParams[K]): void {
    this.set({ ...this.draft, [key]: value });
  }

  reset(): void {
    this.set({ ...DEFAULT_REWARD_PARAMS });
  }

  private set(next: RewardParams, persist = true): void {
    this.draft = next;
    try {
      validateRewardParams(next);
    } catch (err) {
      if (!(err instanceof RewardParamError)) throw err;
      this.error = { param: err.param, message: err.message };
      return;
    }
    this.error = null;
    this.params = next;
    if (persist) void database().then((db) => putSetting(db, SETTING_REWARD_PARAMS, $state.snapshot(next)));
  }
}

export const reward = new RewardState();

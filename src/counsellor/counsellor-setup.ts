import type { Connection } from 'mongoose';
import type { Config } from '../config';
import type { Flow } from '../conversation/flow-definition';
import type { TicketIntake } from '../tickets/ticket-intake';
import { createCounsellorService, type CounsellorServiceDeps } from './counsellor-service';
import { createSessionStore } from './counsellor-sessions';

/** What {@link createCounsellor} needs: the service's own deps less what it derives here. */
export interface CounsellorSetupDeps extends Omit<
  CounsellorServiceDeps,
  'sessions' | 'fileTicket' | 'maxSessionsPerCounsellor' | 'ticketWords' | 'onDutyCounsellors'
> {
  conn: Connection;
  config: Pick<Config, 'COUNSELLOR_MAX_SESSIONS'>;
  /** The intake flow, for the words after /end that also file a ticket (`vocabulary.endWithTicket`). */
  flow: Pick<Flow, 'vocabulary'>;
  /** Files the conversation as a ticket when the counsellor ends with the ticket words. */
  intake: Pick<TicketIntake, 'file'>;
  /** Who is rostered now (the shift service's `onDuty`). */
  shifts: { onDuty(now: Date): Promise<{ counsellor: ReadonlyArray<{ _id: string }> }> };
}

/**
 * The counsellor relay as the service runs it: its session store, the
 * configured session limit, and the counsellors on duty taken from the
 * roster — or, with nobody rostered, every active counsellor, so a citizen
 * is answered rather than queued for a shift nobody holds.
 * @example const counsellor = await createCounsellor(deps); createEffectRunner({ counsellor: counsellor.gateway, ... })
 */
export async function createCounsellor(deps: CounsellorSetupDeps): Promise<ReturnType<typeof createCounsellorService>> {
  return createCounsellorService({
    sessions: await createSessionStore(deps.conn),
    staff: deps.staff,
    conversations: deps.conversations,
    messages: deps.messages,
    catalog: deps.catalog,
    fileTicket: deps.intake.file,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'counsellor' }),
    maxSessionsPerCounsellor: deps.config.COUNSELLOR_MAX_SESSIONS,
    ticketWords: deps.flow.vocabulary.endWithTicket,
    onDutyCounsellors: async (now) => {
      const crew = await deps.shifts.onDuty(now);
      return crew.counsellor.length > 0
        ? crew.counsellor.map((c) => c._id)
        : (await deps.staff.activeWithRoles(['counsellor'])).map((c) => c._id);
    },
  });
}

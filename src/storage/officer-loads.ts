import { Schema, type Model } from 'mongoose';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Ticket } from '../domain/ticket';
import type { TicketDoc } from './models';
import { modelOnce } from '../db/model-once';

/**
 * How many open tickets an officer holds in a department: one small document
 * per officer and department (`officer_loads`, `_id` `officerId@DEPT`), moved
 * by each ticket change (an `$inc` by `_id`) and recounted from the live
 * tickets by the nightly clean-up, which mends a crash between a change and
 * its count. Routing to the least loaded officer reads these (a collection
 * as small as the staff) instead of counting tickets on every new complaint.
 */
export interface OfficerLoadDoc {
  _id: string;
  officerId: string;
  department: string;
  open: number;
}

const officerLoadSchema = new Schema<OfficerLoadDoc>(
  {
    _id: { type: String, required: true },
    officerId: { type: String, required: true },
    department: { type: String, required: true },
    open: { type: Number, required: true },
  },
  { versionKey: false },
);

/** One officer's count moved by one ticket change. */
export interface LoadStep {
  officerId: string;
  department: string;
  by: 1 | -1;
}

const OPEN = new Set<string>(OPEN_STATUSES);
const holder = (t: Pick<Ticket, 'status' | 'assignedTo' | 'department'>) =>
  t.assignedTo && OPEN.has(t.status) ? `${t.assignedTo}@${t.department}` : undefined;

/** What a change from `before` to `after` moves in the officers' counts (nothing when the same officer holds it open). */
export function loadDelta(
  before: Pick<Ticket, 'status' | 'assignedTo' | 'department'>,
  after: Pick<Ticket, 'status' | 'assignedTo' | 'department'>,
): LoadStep[] {
  const from = holder(before);
  const to = holder(after);
  if (from === to) return [];
  const steps: LoadStep[] = [];
  if (from) steps.push({ officerId: before.assignedTo as string, department: before.department, by: -1 });
  if (to) steps.push({ officerId: after.assignedTo as string, department: after.department, by: 1 });
  return steps;
}

/** The officer load documents on the tickets' connection. */
export function createOfficerLoads(Ticket: Model<TicketDoc>) {
  const conn = Ticket.db;
  const Load = modelOnce<OfficerLoadDoc>(conn, 'OfficerLoad', officerLoadSchema, 'officer_loads');
  const key = (officerId: string, department: string) => `${officerId}@${department}`;

  return {
    async apply(steps: readonly LoadStep[]): Promise<void> {
      for (const s of steps) {
        await Load.updateOne(
          { _id: key(s.officerId, s.department) },
          { $inc: { open: s.by }, $set: { officerId: s.officerId, department: s.department } },
          { upsert: true },
        ).exec();
      }
    },
    /** Open tickets per officer of a department. */
    async of(department: string): Promise<Map<string, number>> {
      const docs = await Load.find({ department }).lean<OfficerLoadDoc[]>().exec();
      return new Map(docs.map((d) => [d.officerId, Math.max(0, d.open)]));
    },
    /** Set every count to what the live tickets say; returns how many documents changed. */
    async recount(): Promise<number> {
      const open = await Ticket.find(
        { status: { $in: [...OPEN_STATUSES] }, assignedTo: { $exists: true } },
        { assignedTo: 1, department: 1 },
      )
        .lean<Array<Pick<TicketDoc, 'assignedTo' | 'department'>>>()
        .exec();
      const counts = new Map<string, { officerId: string; department: string; open: number }>();
      for (const t of open) {
        if (!t.assignedTo) continue;
        const k = key(t.assignedTo, t.department);
        const c = counts.get(k) ?? { officerId: t.assignedTo, department: t.department, open: 0 };
        c.open += 1;
        counts.set(k, c);
      }
      let changed = 0;
      for (const d of await Load.find({}).lean<OfficerLoadDoc[]>().exec()) {
        const want = counts.get(d._id)?.open ?? 0;
        counts.delete(d._id);
        if (d.open === want) continue;
        await Load.updateOne({ _id: d._id }, { $set: { open: want } }).exec();
        changed++;
      }
      for (const [k, c] of counts) {
        await Load.updateOne({ _id: k }, { $set: c }, { upsert: true }).exec();
        changed++;
      }
      return changed;
    },
  };
}

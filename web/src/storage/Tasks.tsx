import { useState } from 'react';
import type { TaskJson, TaskScheduleJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { describeError } from '../api/errors';
import { useAction, useApiQuery } from '../api/queries';
import { DataTable, WithNote } from '../components/DataTable';
import { formatBytes, plural } from '../components/format';
import { AsyncView, EmptyState, NotAvailable, Notice, isNotFound } from '../components/states';
import { StatusPill, Time } from '../components/ui';

/** While a task runs the list is read again this often. */
export const TASK_POLL_MS = 2_000;

export function describeSchedule(schedule: TaskScheduleJson): string {
  switch (schedule.type) {
    case 'manual':
      return 'only when run by hand';
    case 'hourly':
      return `hourly at minute ${schedule.minute}`;
    case 'daily':
      return `daily at ${schedule.time} UTC`;
    case 'interval':
      return `every ${schedule.minutes} minutes`;
  }
}

/** The counts a run's summary may hold, in words: [key, what one is, what happened to it]; bytes are said as a size. */
const SUMMARY_LABELS: [string, string, string][] = [
  ['tagsDeleted', 'tag', 'deleted'],
  ['manifestsDeleted', 'manifest', 'deleted'],
  ['tagsEvicted', 'tag', 'evicted'],
  ['manifestsEvicted', 'manifest', 'evicted'],
  ['blobsDeleted', 'blob', 'deleted'],
  ['bytesFreed', '', 'freed'],
  ['uploadsDeleted', 'upload', 'deleted'],
];

/** The last run's counts in words ("3 tags deleted, 12 MB freed"). */
export function describeSummary(task: TaskJson): string {
  const summary = task.lastRunSummary ?? {};
  if (typeof summary.error === 'string') return summary.error;
  return SUMMARY_LABELS.filter(([key]) => typeof summary[key] === 'number')
    .map(([key, one, done]) => `${one ? plural(summary[key] as number, one) : formatBytes(summary[key] as number)} ${done}`)
    .join(', ');
}

function ResultPill({ task }: { task: TaskJson }) {
  if (task.currentState === 'RUNNING') return <StatusPill tone="warn">running</StatusPill>;
  switch (task.lastRunResult) {
    case null:
      return <span className="muted">never run</span>;
    case 'OK':
      return <StatusPill tone="ok">OK</StatusPill>;
    case 'STOPPED':
      return <StatusPill tone="neutral">stopped</StatusPill>;
    case 'RUNNING':
      return <StatusPill tone="warn">running</StatusPill>;
    case 'FAILED':
    case 'INTERRUPTED':
      return <StatusPill tone="bad">{task.lastRunResult.toLowerCase()}</StatusPill>;
  }
}

function duration(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** The storage tasks: schedule, last run with its result and counts, next run; run now and stop. */
export function Tasks() {
  const api = useApi();
  const [notice, setNotice] = useState<string | null>(null);
  const [polling, setPolling] = useState(false);
  const tasks = useApiQuery(
    ['tasks'],
    async () => {
      const list = await api.listTasks();
      setPolling(list.some((t) => t.currentState === 'RUNNING'));
      return list;
    },
    { refetchInterval: polling ? TASK_POLL_MS : false },
  );
  const run = useAction(
    ({ task, stop }: { task: TaskJson; stop: boolean }) => (stop ? api.stopTask(task.id) : api.runTask(task.id)),
    (_, { task, stop }) => {
      setNotice(stop ? `Asked ${task.name} to stop.` : `Started ${task.name}.`);
      setPolling(true);
      tasks.reload();
    },
    (error) => setNotice(describeError(error)),
  );

  if (isNotFound(tasks.error)) return <NotAvailable what="Tasks" endpoint="GET /service/rest/v1/tasks" />;
  return (
    <>
      <Notice text={notice} />
      <AsyncView state={tasks} loadingLabel="Loading tasks…">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No tasks" />
          ) : (
            <DataTable
              rows={list}
              rowKey={(t) => t.id}
              columns={[
                { header: 'Task', cell: (t) => <WithNote note={describeSchedule(t.schedule)}><span className="strong">{t.name}</span></WithNote> },
                {
                  header: 'Last run',
                  cell: (t) => (
                    <>
                      <ResultPill task={t} /> <Time iso={t.lastRun} empty="" />
                      {t.lastRunDurationMs !== null && <span className="muted small"> in {duration(t.lastRunDurationMs)}</span>}
                    </>
                  ),
                },
                { header: 'Result', className: 'small', wide: true, cell: (t) => describeSummary(t) || '—' },
                { header: 'Next run', cell: (t) => <Time iso={t.nextRun} empty="not scheduled" /> },
              ]}
              actions={(t) =>
                t.currentState === 'RUNNING' ? (
                  <button type="button" className="btn btn-small" disabled={run.busy} onClick={() => run.run({ task: t, stop: true })}>
                    Stop
                  </button>
                ) : (
                  <button type="button" className="btn btn-small btn-primary" disabled={run.busy} onClick={() => run.run({ task: t, stop: false })}>
                    Run now
                  </button>
                )
              }
            />
          )
        }
      </AsyncView>
    </>
  );
}

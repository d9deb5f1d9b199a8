/**
 * Session 4, 14c (issue 14 §4, §5): the clinic-wide triage settings an admin keeps on the server: how long an
 * emergency access lasts, and each pool's saved replies (offered in the reply box's "This pool" group on every
 * PC). Both are made on the server, which checks the admin role again, and reach every console by sync.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { BREAK_GLASS_MINUTES_RANGE } from '../../../../src-shared/triage';
import type { PoolView, ReplyTemplate } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { AdminList } from '../../components/AdminList';
import { Field, FormError, InputField, SelectField } from '../../components/Field';
import { refreshTemplates } from '../../state/reference';
import { announce } from '../../state/ui';

export function TriageSettings() {
  const [minutes, setMinutes] = useState('');
  const [savedMinutes, setSavedMinutes] = useState<number | null>(null);
  const [pools, setPools] = useState<PoolView[]>([]);
  const [templates, setTemplates] = useState<ReplyTemplate[]>([]);
  const [poolId, setPoolId] = useState('');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const loadTemplates = async () =>
    setTemplates((await call('inbox.templates', {})).filter((t) => t.scope === 'pool'));

  useEffect(() => {
    call('clinic.settings', {}).then(
      (s) => {
        setSavedMinutes(s.breakGlassMinutes);
        setMinutes(String(s.breakGlassMinutes));
      },
      (e) => setError(errorMessage(e)),
    );
    call('inbox.pools', {}).then(
      (p) => {
        setPools(p);
        setPoolId((current) => current || (p[0]?.id ?? ''));
      },
      (e) => setError(errorMessage(e)),
    );
    void loadTemplates().catch((e) => setError(errorMessage(e)));
  }, []);

  async function saveMinutes(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setStatus(null);
    const value = Number(minutes);
    const { min, max } = BREAK_GLASS_MINUTES_RANGE;
    if (!Number.isInteger(value) || value < min || value > max) {
      setError(`Emergency access lasts a whole number of minutes from ${min} to ${max}.`);
      return;
    }
    try {
      const s = await call('admin.setClinicSettings', { breakGlassMinutes: value });
      setSavedMinutes(s.breakGlassMinutes);
      setStatus('Emergency access time saved for the clinic.');
      announce('Emergency access time saved for the clinic.');
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function saveTemplate(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setStatus(null);
    if (!title.trim() || !body.trim()) {
      setError('A pool template needs a title and a text.');
      return;
    }
    try {
      await call('admin.savePoolTemplate', { poolId, title: title.trim(), body: body.trim() });
      setTitle('');
      setBody('');
      setStatus('Pool template saved.');
      announce('Pool template saved.');
      await loadTemplates();
      await refreshTemplates();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function remove(t: ReplyTemplate) {
    setError(null);
    try {
      await call('admin.deletePoolTemplate', { id: t.id });
      announce(`Pool template ${t.title} deleted.`);
      await loadTemplates();
      await refreshTemplates();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const poolName = (id: string | null) => pools.find((p) => p.id === id)?.name ?? id ?? '';

  return (
    <section className="card" aria-labelledby="triage-settings-title">
      <h2 id="triage-settings-title" className="section-title">
        Clinic-wide triage
      </h2>
      <FormError error={error} />
      <p className="ok-text" role="status">
        {status}
      </p>
      <form className="form" onSubmit={saveMinutes} noValidate aria-label="Emergency access time">
        <InputField
          label="Emergency access lasts (minutes)"
          hint={
            <>
              For the whole clinic, on every PC ({BREAK_GLASS_MINUTES_RANGE.min} to{' '}
              {BREAK_GLASS_MINUTES_RANGE.max}; default 60).
            </>
          }
          type="number"
          min={BREAK_GLASS_MINUTES_RANGE.min}
          max={BREAK_GLASS_MINUTES_RANGE.max}
          step={1}
          inputMode="numeric"
          value={minutes}
          onChange={setMinutes}
        />
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={savedMinutes === null || String(savedMinutes) === minutes}
          >
            Save emergency access time
          </button>
        </div>
      </form>
      <h3 className="section-title">Pool templates</h3>
      <AdminList
        label="Pool templates"
        records={templates}
        empty="No pool templates yet."
        columns={[
          { header: 'Pool', cell: (t) => poolName(t.pool) },
          { header: 'Title', cell: (t) => t.title },
        ]}
        action={{
          text: 'Delete',
          label: (t) => `Delete pool template ${t.title}`,
          onAction: (t) => void remove(t),
        }}
      />
      <form className="form" onSubmit={saveTemplate} noValidate aria-label="New pool template">
        <SelectField
          label="Pool"
          value={poolId}
          onChange={setPoolId}
          options={pools.map((p) => ({ value: p.id, label: p.name }))}
        />
        <InputField label="Template title" maxLength={80} value={title} onChange={setTitle} />
        <Field
          label="Template text"
          hint={
            <>
              Fields: {'{{first_name}}'}, {'{{provider}}'}, {'{{clinic_phone}}'} are filled in the reply box.
            </>
          }
        >
          {(control) => (
            <textarea
              {...control}
              rows={3}
              maxLength={5000}
              value={body}
              onChange={(e) => setBody(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={!poolId}>
            Save pool template
          </button>
        </div>
      </form>
    </section>
  );
}

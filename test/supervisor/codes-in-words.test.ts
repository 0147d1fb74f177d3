import { useWebChatApp } from '../support/web-chat-app';

describe('staff views put recorded codes into words', () => {
  const { chat, hi } = useWebChatApp({
    staff: [
      ['operator-1', 'operator'],
      ['officer-1', 'officer', 'FOOD'],
    ],
  });

  test('the line of a call, the department of a history step and the reply channel are names, not codes', async () => {
    await chat.script('operator-1', ['/call 181 9876500001', '[category|ration]', '[block|jobat]', 'फलिया नवापाड़ा']);
    await chat.send('operator-1', 'तीन महीने से राशन नहीं मिला');
    const [done] = await chat.send('operator-1', '[summary|submit]');
    const ref = /(ALR-\d{6})/.exec(done ?? '')?.[1] as string;
    const web = await chat.fileComplaint('citizen-1');
    await chat.send('admin', `/assign ${web} FOOD`);

    // /ticket: "दर्ज की «फ़ोन 181»", never «phone181».
    const shown = (await chat.send('admin', `/ticket ${ref}`)).join('\n');
    expect(shown).toContain(hi('supervisor.history.note', { text: hi('supervisor.channel.phone181') }));
    expect(shown).not.toContain('phone181');
    expect(shown).toContain('→ खाद्य एवं नागरिक आपूर्ति विभाग');
    expect(shown).not.toMatch(/→ FOOD\b/);

    // /pending names departments.
    const [pending] = await chat.send('admin', '/pending');
    expect(pending).toContain('खाद्य एवं नागरिक आपूर्ति विभाग');
    expect(pending).not.toMatch(/ · FOOD · /);

    // The chat /export: reply channel and history in words.
    const col = await chat.exportCells('admin');
    expect(col(ref, 'reply_channel')).toBe(hi('supervisor.channel.whatsapp'));
    expect(col(web, 'reply_channel')).toBe(hi('supervisor.channel.web'));
    expect(col(ref, 'history')).toContain(hi('supervisor.channel.phone181'));
    expect(col(ref, 'history')).not.toContain('phone181');
    expect(col(ref, 'history')).toContain('→ खाद्य एवं नागरिक आपूर्ति विभाग');
    expect(col(web, 'history')).not.toMatch(/→ (FOOD|CONTROL)\b/);
    // The code columns stay for spreadsheets that filter by them.
    expect(col(ref, 'department_code')).toBe('FOOD');
  });
});

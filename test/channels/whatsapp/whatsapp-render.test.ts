import { renderForWhatsApp } from '../../../src/channels/whatsapp/whatsapp-render';

describe('rendered messages as WhatsApp text', () => {
  test('plain text stays as it is, with no menu', () => {
    expect(renderForWhatsApp({ text: 'धन्यवाद' })).toEqual({ text: 'धन्यवाद', menu: [] });
  });

  test('buttons become numbered lines, remembered by number', () => {
    const out = renderForWhatsApp({
      text: 'आप क्या करना चाहेंगे?',
      buttons: [
        { label: '📝 नई शिकायत', data: 'menu|new' },
        { label: '📋 मेरी शिकायतें', data: 'menu|status' },
      ],
    });
    expect(out.text).toBe('आप क्या करना चाहेंगे?\n\n1. 📝 नई शिकायत\n2. 📋 मेरी शिकायतें');
    expect(out.menu).toEqual([
      { n: 1, data: 'menu|new' },
      { n: 2, data: 'menu|status' },
    ]);
  });

  test('the contact request is the last numbered line, after the buttons', () => {
    const out = renderForWhatsApp({
      text: 'नंबर?',
      buttons: [{ label: 'आगे बढ़ें', data: 'phone|skip' }],
      contactRequest: { label: '📱 मेरा नंबर भेजें' },
    });
    expect(out.text).toBe('नंबर?\n\n1. आगे बढ़ें\n2. 📱 मेरा नंबर भेजें');
    expect(out.menu).toEqual([
      { n: 1, data: 'phone|skip' },
      { n: 2, contact: true },
    ]);
  });
});

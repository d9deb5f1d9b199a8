import type { ReplyTemplate } from '../../src-shared/views';

/**
 * Saved replies for common answers; kept free of PHI so they can live in code. Fields in double braces are filled
 * in the reply box (src-shared/reply-template.ts): {{first_name}}, {{provider}}, {{clinic_phone}}.
 */
export const REPLY_TEMPLATES: readonly ReplyTemplate[] = [
  {
    id: 'received',
    title: 'Message received',
    body: 'Dear {{first_name}}, thank you for your message. A member of our care team has received it and will reply within one working day.',
  },
  {
    id: 'book-visit',
    title: 'Please book a visit',
    body: 'Thank you for letting us know. This is best looked at in person: please book an appointment through the portal or call the front desk.',
  },
  {
    id: 'results-normal',
    title: 'Results reviewed',
    body: 'Dear {{first_name}}, {{provider}} has reviewed your recent results and no further action is needed at this time.',
  },
  {
    id: 'refill-sent',
    title: 'Prescription renewed',
    body: 'Your prescription renewal has been sent to your pharmacy. Please allow two working days before collecting it.',
  },
  {
    id: 'urgent-care',
    title: 'Seek urgent care',
    body: 'What you describe needs prompt attention. Please call the clinic now on {{clinic_phone}}, or if symptoms are severe, call emergency services.',
  },
];

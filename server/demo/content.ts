import type { Topic } from '../../src-shared/triage';

/** Word lists for the demo clinic: invented names and everyday primary-care messages (no real people). */
export const GIVEN_NAMES: readonly string[] =
  'Olivia Liam Emma Noah Ava Elijah Sophia Mateo Isabella Lucas Mia Levi Amelia Ezra Harper Asher Evelyn Leo Abigail Kai Chloe Hugo Nora Ibrahim Zoe Arjun Layla Mohammed Hannah Tariq Mei Diego Fatima Jonas Ingrid Kofi Aisha Pavel Lucia Wei Greta Samuel Yara Felix Rosa Anton Keiko Malik'.split(
    ' ',
  );

export const FAMILY_NAMES: readonly string[] =
  "Smith Johnson Garcia Nguyen Kowalski Müller Rossi Okonkwo Haddad Tanaka Fernández Larsen Dubois Kim Patel Silva Novak Andersson Cohen Mensah Ivanova Murphy Schmidt Costa Yilmaz Chen Walker Moreau Hughes Bauer Rahman Sato Lopez Petrov O'Brien Jansen Ali Kaur Svensson Wright".split(
    ' ',
  );

export const SPECIALTIES = [
  'Family Medicine',
  'Internal Medicine',
  'Pediatrics',
  'Dermatology',
  "Women's Health",
  'Cardiology',
  'Orthopedics',
  'Endocrinology',
  'Psychiatry',
  'Physiotherapy',
] as const;

/** The six named demo providers; more are generated at larger scales. */
export const BASE_PROVIDERS = [
  { name: 'Dr. Amara Okafor', specialty: 'Family Medicine', slotMinutes: 15 },
  { name: 'Dr. Lukas Brenner', specialty: 'Internal Medicine', slotMinutes: 30 },
  { name: 'Dr. Sofia Marquez', specialty: 'Pediatrics', slotMinutes: 15 },
  { name: 'Dr. Hiroshi Tanaka', specialty: 'Dermatology', slotMinutes: 30 },
  { name: 'Grace Lindqvist, NP', specialty: "Women's Health", slotMinutes: 30 },
  { name: 'Dr. Omar Haddad', specialty: 'Cardiology', slotMinutes: 30 },
] as const;

export const TOPICS: readonly { subject: string; body: string }[] = [
  {
    subject: 'Prescription refill',
    body: 'Hello, I am almost out of my blood pressure tablets. Could you send a refill to my usual pharmacy?',
  },
  {
    subject: 'Question about lab results',
    body: 'I saw my blood test results in the portal. Is the cholesterol value something I should worry about?',
  },
  {
    subject: 'Rash on my arm',
    body: 'I have had an itchy red rash on my left forearm for four days. It is not spreading. Should I come in?',
  },
  {
    subject: 'Sick note for work',
    body: 'My employer needs a note for the days I was off with the flu last week. Can you provide one?',
  },
  {
    subject: 'Side effects of new medication',
    body: 'Since starting the new tablets I feel dizzy in the mornings. Is that normal or should I stop them?',
  },
  {
    subject: 'Referral to physiotherapy',
    body: 'My knee still hurts after the fall. Could I get a referral to physiotherapy?',
  },
  {
    subject: 'Vaccination record',
    body: 'I need a copy of my vaccination record for travel. Could you upload it here?',
  },
  {
    subject: 'Child has a fever',
    body: 'My son has had a temperature of 38.5 since last night. He is drinking well. What should we do?',
  },
  {
    subject: 'Follow-up after visit',
    body: 'Thank you for seeing me on Tuesday. The cough is better but I still feel tired. Is that expected?',
  },
  {
    subject: 'Chest tightness when climbing stairs',
    body: 'Over the last week I get tightness in my chest when I climb stairs. It goes away when I rest.',
  },
  {
    subject: 'Insurance form',
    body: 'My insurance needs a form filled in by my doctor. I have attached it. Is there a fee?',
  },
  {
    subject: 'Blood sugar readings',
    body: 'My morning blood sugar readings have been between 8 and 9 this week. Should we change the dose?',
  },
  {
    subject: 'Trouble sleeping',
    body: 'I have been sleeping badly for a month and wake up at 4 am every night. Can we talk about options?',
  },
  { subject: 'Appointment question', body: 'Do I need to fast before my appointment next week?' },
  {
    subject: 'Back pain',
    body: 'My lower back has been sore since I moved house. Painkillers help a little. Should I be seen?',
  },
  {
    subject: 'Travel advice',
    body: 'I am travelling to Kenya in six weeks. Which vaccinations or tablets do I need?',
  },
];

export const STAFF_REPLIES = [
  'Thank you for your message. I have sent the prescription to your pharmacy; it should be ready tomorrow.',
  'Thanks for letting us know. Please book a routine appointment so we can take a look.',
  'The result is slightly above the target range. It is nothing urgent; we will discuss it at your next visit.',
  'Please stop the tablets for now and book an appointment this week so we can review your medication.',
  'We have uploaded the document to your portal. Let us know if you need anything else.',
  'If the fever goes above 39.5 or he stops drinking, please call us straight away or go to urgent care.',
  'Chest tightness on exertion needs to be checked promptly. Please call the clinic today so we can see you.',
  'The referral has been sent. The physiotherapy team will contact you within two weeks.',
  'No fasting is needed for this appointment. Please bring a list of your current medicines.',
  'Thank you. I have asked the front desk to find you an appointment with your usual clinician.',
];

export const PATIENT_FOLLOW_UPS = [
  'Thank you, that is very helpful.',
  'Is there any earlier time available? I work until 5 pm.',
  'It has not improved since my last message. What should I do next?',
  'I picked it up today, thank you.',
  'Sorry, one more question: can I take it with ibuprofen?',
  'OK, I will book an appointment.',
];

export const VISIT_REASONS = [
  'Annual check-up',
  'Blood pressure review',
  'Medication review',
  'Follow-up visit',
  'Vaccination',
  'Skin check',
  'Knee pain',
  'Diabetes review',
  'Well-child visit',
  'Lab results discussion',
  'Sore throat',
  'Travel consultation',
  'Contraception advice',
  'Headaches',
  'Heart palpitations',
] as const;

export const CANCEL_REASONS = [
  'Patient request',
  'Patient unwell',
  'Provider unavailable',
  'Rescheduled by phone',
] as const;

/** Tiny but valid files, so the consoles' attachment viewers have something real to open. */
export const DEMO_ATTACHMENTS = [
  {
    fileName: 'rash-photo.png',
    mimeType: 'image/png',
    contentBase64:
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  },
  {
    fileName: 'insurance-form.pdf',
    mimeType: 'application/pdf',
    contentBase64: Buffer.from(
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    ).toString('base64'),
  },
  {
    fileName: 'blood-sugar-log.txt',
    mimeType: 'text/plain',
    contentBase64: Buffer.from('Mon 8.4\nTue 8.9\nWed 8.1\nThu 9.0\nFri 8.6\n').toString('base64'),
  },
] as const;

/**
 * issue 14a: the portal topic a demo patient would have picked for each demo subject (others: clinical
 * question), so the demo clinic's pools hold clinical and administrative threads.
 */
export const DEMO_SUBJECT_TOPICS: Readonly<Record<string, Topic>> = {
  'Prescription refill': 'prescription-refill',
  'Question about lab results': 'test-results',
  'Sick note for work': 'billing-admin',
  'Insurance form': 'billing-admin',
  'Vaccination record': 'billing-admin',
  'Appointment question': 'scheduling',
};

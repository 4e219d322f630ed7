import type { Orientation } from './types.js';

/** A response written over several source lines, as the one paragraph it is. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/**
 * The shipped orientation, in English. It is written for an orthogonal deployment context (a
 * travel-planning assistant), as the CALMA pilot primed participants on an unrelated deployment:
 * people learn the method without being told what to look for in their own study's model.
 * Question and practice ids, option order and correct answers match the Hindi version.
 */
export const defaultOrientationEn: Orientation = {
  pages: [
    {
      title: 'What this study asks of you',
      markdown: `A language model behaves differently depending on **where it is used**. The same model
can answer a tourist, a student or a doctor, and what counts as a *good* answer changes with each.
We call the setting a model is used in its **deployment context**: who uses it, for what, and what
is at stake for them.

In this study your community decides what a good answer looks like **in one deployment context**.
You will go through four stages:

1. **Familiarize**: learn the method on an example (this orientation, a short practice and a
   short quiz).
2. **Interact**: chat with the model of your study, as someone from your community would.
3. **Reflect**: look back at the answers and describe, in your own words, what you noticed.
4. **Discuss**: with your group, agree on the qualities (we call them *attributes*) that matter.

To learn the method we use an example that has **nothing to do with your study**: a
*travel-planning assistant* that helps people plan trips. That way the example does not put ideas
about your own study into your head.`,
    },
    {
      title: 'Initial coding: put labels on a response',
      markdown: `**Initial coding** means reading one answer of the assistant and writing short, free-text
**labels** for what you notice in it. A label is a few words in your own language. There are no
right or wrong labels: write what stands out to *you*, good or bad.

### Worked example

> **Traveller:** I have two days in Jaipur in June. What should I see?
>
> **Assistant:** Start early at Amber Fort before the heat, then the City Palace and Jantar Mantar.
> June is very hot (often above 40 °C), so plan indoor visits for the afternoon and carry water.
> On day two, visit Hawa Mahal at sunrise and the bazaars in the evening.

Labels someone might write:

- *practical daily plan*
- *warns about the heat*
- *safety advice*
- *no budget information*
- *assumes the traveller can walk a lot*

Tips:

- One idea per label. "Helpful and safe" is two labels.
- Describe what the answer **does**, not only whether you liked it: "*ignores my budget*" says
  more than "*bad*".
- Notice what is **missing** as well as what is there.`,
    },
    {
      title: 'Focused coding: from labels to attributes',
      markdown: `After many people have labelled many answers, there are a lot of labels. **Focused coding**
means grouping labels that are about the same quality into an **attribute**: a name and a
definition that say what a good answer does.

### Worked example

These labels came from several people about several travel answers:

- *warns about the heat*, *safety advice*, *mentions monsoon flooding*
- *no budget information*, *only expensive hotels*, *ignores my budget*
- *practical daily plan*, *realistic travel times*

They can be grouped into three attributes:

1. **Traveller safety**: the answer warns about weather, health and local risks that matter for
   the trip.
2. **Budget awareness**: the answer respects the money the traveller has, or asks about it.
3. **Practical planning**: the plan can really be followed: times, distances and order make sense.

Labels that point the *other way* still belong to the attribute: "*ignores my budget*" is
evidence about **budget awareness** (a negative example).

In your study you will do the same with the answers of **your** study's model. In the Discuss stage
your group compares attributes and agrees on the ones that matter most.`,
    },
  ],
  practice: [
    {
      id: 'practice-1',
      prompt: 'Plan a cheap weekend in Goa for two students.',
      response: oneLine(`Stay in a beach hut in Anjuna or Arambol (about ₹800–1,200 a night). Rent a scooter for
₹300–400 a day instead of taxis. Eat at local shacks rather than resort restaurants. Saturday: the
Anjuna flea market and Vagator beach at sunset. Sunday: Old Goa churches in the morning, then
Palolem if you have the energy. Wear a helmet on the scooter and do not swim where red flags are up.`),
      referenceLabels: ['budget-friendly', 'concrete prices', 'safety advice', 'practical daily plan'],
    },
    {
      id: 'practice-2',
      prompt: 'Is it safe to travel alone to Ladakh in January?',
      response: oneLine(`January is deep winter in Ladakh: nights fall to −20 °C and many roads close. Flights to Leh
still run. Travel alone only if you are used to cold and altitude; rest for two days on arrival to
avoid altitude sickness. Tell someone your plans and keep a local SIM. The frozen Zanskar river
(Chadar) trek should only be done with a registered guide.`),
      referenceLabels: ['honest about risks', 'health advice', 'does not discourage', 'altitude warning'],
    },
    {
      id: 'practice-3',
      prompt: 'Suggest a relaxing holiday for my parents, who are in their seventies.',
      response: oneLine(`Take them to Switzerland! Hike to a glacier in the morning, go paragliding in Interlaken in
the afternoon and take the night train to Paris for a day of museums. It is an unforgettable trip.`),
      referenceLabels: [
        'ignores their age',
        'not relaxing',
        'too physically demanding',
        'expensive',
        'no accessibility advice',
      ],
    },
  ],
  check: {
    questions: [
      {
        id: 'q-context',
        text: 'What is a deployment context?',
        options: [
          'The setting a model is used in: who uses it, for what, and what is at stake',
          'The computer the model runs on',
          'The language the model was trained in',
        ],
        correct: 0,
      },
      {
        id: 'q-label',
        text: 'Which of these is a good initial-coding label for an answer?',
        options: ['Bad', 'Ignores my budget', 'I did not read it'],
        correct: 1,
      },
      {
        id: 'q-right',
        text: 'Are there right and wrong labels?',
        options: [
          'Yes: labels must match the reference labels',
          'No: write what stands out to you, in your own words',
          'Only labels in English count',
        ],
        correct: 1,
      },
      {
        id: 'q-focused',
        text: 'What is focused coding?',
        options: [
          'Reading an answer very slowly',
          'Correcting the spelling of labels',
          'Grouping labels about the same quality into an attribute with a name and a definition',
        ],
        correct: 2,
      },
      {
        id: 'q-negative',
        text: 'The label "only expensive hotels" is evidence for which attribute?',
        options: ['Budget awareness (a negative example)', 'Traveller safety', 'None: negative labels are thrown away'],
        correct: 0,
      },
    ],
    passMark: 4,
  },
  required: true,
};

// A user's answers for the MCP client test, by category: a dental clinic's booking system (its own
// sentences, not the engine's test material).
export const answers = {
  goals: [
    'We must let patients of small dental clinics book appointments online. Receptionists will spend less time on the phone. The first release has to ship within four months.',
    'Success means that half of all bookings arrive online within a year. Clinics must fill cancelled slots quickly. We will charge each clinic a monthly fee.',
    'The main outcome must be fewer empty chairs. Patients will choose a dentist and a time themselves. Insurance billing is out of scope for now.',
    'Today clinics keep a paper calendar and double book chairs. Our customers are practices with one to five dentists. Staff must trust the calendar completely.',
  ],
  requirements: [
    'Patients must be able to see free slots and book one. Receptionists must confirm or move each booking. Patients will get a reminder message the day before.',
    'There will be three roles, patients, receptionists and dentists. Receptionists must manage the opening hours. Patients must cancel a booking up to a day before.',
    'The software must print a daily schedule per chair. It has to show the treatment type of each booking. Bookings must carry the expected duration.',
    'The software must never book two patients on one chair at once. It has to respect each dentist\'s holidays. Patients will mostly book from their phones.',
  ],
  tech_stack: [
    'We will use MySQL as the database. The backend will be written in Java. We must host it on Azure.',
    'The frontend framework will be Angular. We will ship it as Kubernetes deployments. Our developers know Spring well.',
    'Company rules require open source libraries. We must avoid proprietary cloud services where we can. Text messages will go through Twilio.',
  ],
  scalability: [
    'We expect 300 clinics after the first year. Each clinic will have about 2000 patients. Monday mornings bring the most bookings.',
    'The system must handle 800 concurrent users at the Monday peak. We will grow country by country. Every clinic\'s data must stay apart.',
  ],
  security: [
    'All connections must use TLS. Passwords must be stored hashed. Dentists need two factor authentication.',
    'We must comply with HIPAA for patient records. Patients must be able to delete their account. Medical notes will never leave the clinic\'s tenant.',
  ],
  performance: [
    'The booking page must load within 2 seconds on a phone. Booking a slot has to feel instant. The daily schedule must print quickly.',
    'The API must answer within 250 ms at the 95th percentile. Slot search will be immediate. Reminders must go out within five minutes.',
  ],
  testing: ['Every feature must have unit tests. Integration tests will cover the booking flow. Coverage has to stay above 75 percent.'],
  monitoring: ['We must collect logs from every service. Alerts must reach the developer on duty. A dashboard will show bookings per hour.'],
  data_retention: ['Patient records must be kept for ten years. Inactive accounts will be deleted after three years. Logs must be deleted after 60 days.'],
  disaster_recovery: ['We must back up the database every hour. The RPO is one hour and the RTO is two hours. Restores will be tested every quarter.'],
};

// The answer to give to a question of `category`, the `index`th time it is asked.
export function answerFor(category, index) {
  const list = answers[category] ?? [];
  return index < list.length ? list[index] : `We must also settle point ${index} of ${category} later.`;
}

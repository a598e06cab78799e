import {
  condition,
  cvx,
  icd,
  lab,
  loinc,
  med,
  qty,
  sct,
  type AllergyDef,
  type ConditionDef,
  type LabDef,
  type MedicationDef,
  type ProcedureDef,
  type ReportDef,
  type VaccineDef,
} from './catalog-types.js';
import { SENSITIVE_CONDITIONS, SENSITIVE_LABS, SENSITIVE_MEDICATIONS } from './sensitive-catalog.js';

export * from './catalog-types.js';
export { NAMES, CITIES, namesFor } from './names.js';

/** Problems a demo patient may have: chronic ones make the problem list, acute ones visits. */
export const CONDITIONS: readonly ConditionDef[] = [
  condition({
    key: 'hypertension',
    snomed: sct('59621000', 'Essential hypertension'),
    icd10: icd('I10', 'Essential (primary) hypertension'),
    chronic: true,
    weight: 10,
    minAge: 30,
    medications: ['lisinopril', 'amlodipine', 'ramipril', 'bisoprolol'],
    labs: ['bp', 'potassium', 'creatinine'],
    reports: ['ecg'],
  }),
  condition({
    key: 't2dm',
    snomed: sct('44054006', 'Diabetes mellitus type 2'),
    icd10: icd('E11.9', 'Type 2 diabetes mellitus without complications'),
    chronic: true,
    weight: 7,
    minAge: 30,
    medications: ['metformin', 'empagliflozin', 'insulin-glargine'],
    labs: ['hba1c', 'glucose', 'creatinine', 'egfr', 'ldl'],
    reports: ['cmp'],
  }),
  condition({
    key: 'asthma',
    snomed: sct('195967001', 'Asthma'),
    icd10: icd('J45.9', 'Asthma, unspecified'),
    chronic: true,
    weight: 5,
    medications: ['salbutamol', 'budesonide'],
    labs: ['fev1'],
    procedures: ['spirometry'],
  }),
  condition({
    key: 'copd',
    snomed: sct('13645005', 'Chronic obstructive lung disease'),
    icd10: icd('J44.9', 'Chronic obstructive pulmonary disease, unspecified'),
    chronic: true,
    weight: 4,
    minAge: 45,
    medications: ['tiotropium', 'salbutamol'],
    labs: ['fev1'],
    procedures: ['spirometry'],
    reports: ['chest-xray'],
  }),
  condition({
    key: 'atrial-fibrillation',
    snomed: sct('49436004', 'Atrial fibrillation'),
    icd10: icd('I48.9', 'Atrial fibrillation and atrial flutter, unspecified'),
    chronic: true,
    weight: 4,
    minAge: 50,
    medications: ['apixaban', 'bisoprolol'],
    labs: ['heart-rate', 'creatinine'],
    procedures: ['cardioversion', 'echocardiography'],
    reports: ['ecg'],
  }),
  condition({
    key: 'hyperlipidaemia',
    snomed: sct('55822004', 'Hyperlipidemia'),
    icd10: icd('E78.5', 'Hyperlipidaemia, unspecified'),
    chronic: true,
    weight: 7,
    minAge: 30,
    medications: ['atorvastatin'],
    labs: ['ldl', 'cholesterol'],
    reports: ['lipid-panel'],
  }),
  condition({
    key: 'ckd3',
    snomed: sct('433144002', 'Chronic kidney disease stage 3'),
    icd10: icd('N18.3', 'Chronic kidney disease, stage 3'),
    chronic: true,
    weight: 3,
    minAge: 50,
    medications: ['ramipril', 'furosemide'],
    labs: ['creatinine', 'egfr', 'potassium'],
    reports: ['cmp'],
  }),
  condition({
    key: 'hypothyroidism',
    snomed: sct('40930008', 'Hypothyroidism'),
    icd10: icd('E03.9', 'Hypothyroidism, unspecified'),
    chronic: true,
    weight: 4,
    medications: ['levothyroxine'],
    labs: ['tsh'],
  }),
  condition({
    key: 'heart-failure',
    snomed: sct('84114007', 'Heart failure'),
    icd10: icd('I50.9', 'Heart failure, unspecified'),
    chronic: true,
    weight: 2,
    minAge: 55,
    medications: ['furosemide', 'bisoprolol', 'ramipril'],
    labs: ['nt-probnp', 'potassium', 'weight'],
    procedures: ['echocardiography'],
    reports: ['chest-xray'],
  }),
  condition({
    key: 'coronary-artery-disease',
    snomed: sct('53741008', 'Coronary arteriosclerosis'),
    icd10: icd('I25.1', 'Atherosclerotic heart disease'),
    chronic: true,
    weight: 3,
    minAge: 45,
    medications: ['atorvastatin', 'aspirin', 'bisoprolol'],
    labs: ['ldl', 'bp'],
    procedures: ['coronary-angiography', 'pci'],
    reports: ['ecg'],
  }),
  condition({
    key: 'gerd',
    snomed: sct('235595009', 'Gastroesophageal reflux disease'),
    icd10: icd('K21.9', 'Gastro-oesophageal reflux disease without oesophagitis'),
    chronic: true,
    weight: 4,
    medications: ['omeprazole'],
    procedures: ['egd'],
  }),
  condition({
    key: 'migraine',
    snomed: sct('37796009', 'Migraine'),
    icd10: icd('G43.9', 'Migraine, unspecified'),
    chronic: true,
    weight: 3,
    maxAge: 70,
    medications: ['sumatriptan'],
  }),
  condition({
    key: 'knee-osteoarthritis',
    snomed: sct('239873007', 'Osteoarthritis of knee'),
    icd10: icd('M17.9', 'Gonarthrosis, unspecified'),
    chronic: true,
    weight: 4,
    minAge: 50,
    medications: ['ibuprofen', 'paracetamol'],
    procedures: ['knee-replacement'],
  }),
  condition({
    key: 'obesity',
    snomed: sct('414916001', 'Obesity'),
    icd10: icd('E66.9', 'Obesity, unspecified'),
    chronic: true,
    weight: 4,
    labs: ['bmi', 'weight', 'hba1c'],
  }),
  condition({
    key: 'iron-deficiency-anaemia',
    snomed: sct('87522002', 'Iron deficiency anemia'),
    icd10: icd('D50.9', 'Iron deficiency anaemia, unspecified'),
    chronic: true,
    weight: 2,
    labs: ['haemoglobin', 'ferritin'],
    reports: ['cbc'],
  }),
  condition({
    key: 'pneumonia',
    snomed: sct('233604007', 'Pneumonia'),
    icd10: icd('J18.9', 'Pneumonia, unspecified organism'),
    chronic: false,
    weight: 3,
    medications: ['amoxicillin'],
    labs: ['crp', 'wbc'],
    reports: ['chest-xray', 'cbc'],
  }),
  condition({
    key: 'acute-bronchitis',
    snomed: sct('10509002', 'Acute bronchitis'),
    icd10: icd('J20.9', 'Acute bronchitis, unspecified'),
    chronic: false,
    weight: 3,
    labs: ['crp'],
  }),
  condition({
    key: 'uti',
    snomed: sct('68566005', 'Urinary tract infectious disease'),
    icd10: icd('N39.0', 'Urinary tract infection, site not specified'),
    chronic: false,
    weight: 3,
    medications: ['nitrofurantoin'],
    labs: ['crp', 'wbc'],
  }),
  condition({
    key: 'ankle-sprain',
    snomed: sct('44465007', 'Sprain of ankle'),
    icd10: icd('S93.4', 'Sprain and strain of ankle'),
    chronic: false,
    weight: 2,
    medications: ['ibuprofen'],
  }),
  condition({
    key: 'appendicitis',
    snomed: sct('85189001', 'Acute appendicitis'),
    icd10: icd('K35.8', 'Acute appendicitis, other and unspecified'),
    chronic: false,
    weight: 1,
    labs: ['crp', 'wbc'],
    procedures: ['appendectomy'],
    reports: ['cbc'],
  }),
  condition({
    key: 'gastroenteritis',
    snomed: sct('25374005', 'Gastroenteritis'),
    icd10: icd('A09', 'Other gastroenteritis and colitis of infectious and unspecified origin'),
    chronic: false,
    weight: 2,
    labs: ['potassium', 'sodium'],
  }),
  condition({
    key: 'influenza',
    snomed: sct('6142004', 'Influenza'),
    icd10: icd('J11.1', 'Influenza with other respiratory manifestations, virus not identified'),
    chronic: false,
    weight: 2,
    medications: ['paracetamol'],
  }),
  condition({
    key: 'covid-19',
    snomed: sct('840539006', 'Disease caused by severe acute respiratory syndrome coronavirus 2'),
    icd10: icd('U07.1', 'COVID-19, virus identified'),
    chronic: false,
    weight: 2,
    labs: ['crp'],
  }),
  condition({
    key: 'cholelithiasis',
    snomed: sct('235919008', 'Cholelithiasis'),
    icd10: icd('K80.2', 'Calculus of gallbladder without cholecystitis'),
    chronic: false,
    weight: 1,
    minAge: 30,
    procedures: ['cholecystectomy'],
  }),
  ...SENSITIVE_CONDITIONS,
];

export const MEDICATIONS: readonly MedicationDef[] = [
  med(
    'metformin',
    'Metformin',
    ['A10BA02', 'metformin'],
    ['6809', 'metformin'],
    '1000 mg orally twice daily with meals',
  ),
  med(
    'empagliflozin',
    'Empagliflozin',
    ['A10BK03', 'empagliflozin'],
    ['1545653', 'empagliflozin'],
    '10 mg orally once daily',
  ),
  med(
    'insulin-glargine',
    'Insulin glargine',
    ['A10AE04', 'insulin glargine'],
    ['274783', 'insulin glargine'],
    '20 units subcutaneously at bedtime',
  ),
  med('lisinopril', 'Lisinopril', ['C09AA03', 'lisinopril'], ['29046', 'lisinopril'], '10 mg orally once daily'),
  med('ramipril', 'Ramipril', ['C09AA05', 'ramipril'], ['35296', 'ramipril'], '5 mg orally once daily'),
  med('amlodipine', 'Amlodipine', ['C08CA01', 'amlodipine'], ['17767', 'amlodipine'], '5 mg orally once daily'),
  med('bisoprolol', 'Bisoprolol', ['C07AB07', 'bisoprolol'], ['19484', 'bisoprolol'], '5 mg orally once daily'),
  med('furosemide', 'Furosemide', ['C03CA01', 'furosemide'], ['4603', 'furosemide'], '40 mg orally every morning'),
  med('atorvastatin', 'Atorvastatin', ['C10AA05', 'atorvastatin'], ['83367', 'atorvastatin'], '40 mg orally at night'),
  med(
    'aspirin',
    'Acetylsalicylic acid',
    ['B01AC06', 'acetylsalicylic acid'],
    ['1191', 'aspirin'],
    '100 mg orally once daily',
  ),
  med('apixaban', 'Apixaban', ['B01AF02', 'apixaban'], ['1364430', 'apixaban'], '5 mg orally twice daily'),
  med(
    'salbutamol',
    'Salbutamol',
    ['R03AC02', 'salbutamol'],
    ['435', 'albuterol'],
    '100 micrograms inhaled, 2 puffs as needed',
  ),
  med(
    'budesonide',
    'Budesonide',
    ['R03BA02', 'budesonide'],
    ['19831', 'budesonide'],
    '200 micrograms inhaled twice daily',
  ),
  med(
    'tiotropium',
    'Tiotropium',
    ['R03BB04', 'tiotropium bromide'],
    ['69120', 'tiotropium'],
    '18 micrograms inhaled once daily',
  ),
  med(
    'levothyroxine',
    'Levothyroxine',
    ['H03AA01', 'levothyroxine sodium'],
    ['10582', 'levothyroxine'],
    '75 micrograms orally before breakfast',
  ),
  med('omeprazole', 'Omeprazole', ['A02BC01', 'omeprazole'], ['7646', 'omeprazole'], '20 mg orally once daily'),
  med(
    'sumatriptan',
    'Sumatriptan',
    ['N02CC01', 'sumatriptan'],
    ['37418', 'sumatriptan'],
    '50 mg orally at migraine onset',
  ),
  med(
    'ibuprofen',
    'Ibuprofen',
    ['M01AE01', 'ibuprofen'],
    ['5640', 'ibuprofen'],
    '400 mg orally up to three times daily',
  ),
  med(
    'paracetamol',
    'Paracetamol',
    ['N02BE01', 'paracetamol'],
    ['161', 'acetaminophen'],
    '1 g orally up to four times daily',
  ),
  med(
    'amoxicillin',
    'Amoxicillin',
    ['J01CA04', 'amoxicillin'],
    ['723', 'amoxicillin'],
    '1 g orally three times daily for 7 days',
  ),
  med(
    'nitrofurantoin',
    'Nitrofurantoin',
    ['J01XE01', 'nitrofurantoin'],
    ['7454', 'nitrofurantoin'],
    '100 mg orally twice daily for 5 days',
  ),
  ...SENSITIVE_MEDICATIONS,
];

/** Medications anyone may be on, whatever their problems. */
export const GENERAL_MEDICATIONS: readonly string[] = ['paracetamol', 'ibuprofen', 'omeprazole'];

export const LABS: readonly LabDef[] = [
  lab('hba1c', qty('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', [4.0, 5.6], [4.5, 11], 1)),
  lab('glucose', qty('2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', [70, 99], [65, 250], 0)),
  lab('creatinine', qty('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', [0.6, 1.2], [0.5, 3.5], 2)),
  lab(
    'egfr',
    qty(
      '62238-1',
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)',
      'mL/min/{1.73_m2}',
      [90, 120],
      [20, 120],
      0,
    ),
  ),
  lab('haemoglobin', qty('718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', [12, 17.5], [8.5, 18], 1)),
  lab('wbc', qty('6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', [4, 11], [2.5, 18], 1)),
  lab(
    'ldl',
    qty(
      '13457-7',
      'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation',
      'mg/dL',
      [50, 129],
      [50, 220],
      0,
    ),
  ),
  lab('cholesterol', qty('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', [125, 199], [120, 300], 0)),
  lab('potassium', qty('2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', [3.5, 5.1], [3.0, 6.0], 1)),
  lab('sodium', qty('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', [135, 145], [128, 150], 0)),
  lab('tsh', qty('3016-3', 'Thyrotropin [Units/volume] in Serum or Plasma', 'm[IU]/L', [0.4, 4.0], [0.1, 12], 2)),
  lab('crp', qty('1988-5', 'C reactive protein [Mass/volume] in Serum or Plasma', 'mg/L', [0, 5], [0.2, 180], 1)),
  lab(
    'nt-probnp',
    qty(
      '33762-6',
      'Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma',
      'pg/mL',
      [0, 125],
      [20, 5000],
      0,
    ),
  ),
  lab('ferritin', qty('2276-4', 'Ferritin [Mass/volume] in Serum or Plasma', 'ng/mL', [30, 400], [5, 500], 0)),
  lab('fev1', qty('20150-9', 'FEV1', 'L', [2.5, 4.5], [0.8, 4.5], 2)),
  {
    key: 'bp',
    loinc: loinc('85354-9', 'Blood pressure panel with all children optional'),
    category: 'vital-signs',
    components: [
      qty('8480-6', 'Systolic blood pressure', 'mm[Hg]', [90, 129], [95, 185], 0),
      qty('8462-4', 'Diastolic blood pressure', 'mm[Hg]', [60, 84], [55, 110], 0),
    ],
  },
  lab('heart-rate', qty('8867-4', 'Heart rate', '/min', [60, 100], [45, 130], 0), 'vital-signs'),
  lab('weight', qty('29463-7', 'Body weight', 'kg', undefined, [48, 130], 1), 'vital-signs'),
  lab('bmi', qty('39156-5', 'Body mass index (BMI) [Ratio]', 'kg/m2', [18.5, 24.9], [18, 42], 1), 'vital-signs'),
  ...SENSITIVE_LABS,
];

/** Results anyone may have, whatever their problems. */
export const GENERAL_LABS: readonly string[] = [
  'haemoglobin',
  'wbc',
  'potassium',
  'sodium',
  'creatinine',
  'glucose',
  'crp',
  'bp',
  'heart-rate',
  'weight',
];

const allergy = (
  key: string,
  snomed: [string, string],
  category: AllergyDef['category'],
  criticality: AllergyDef['criticality'],
  reactions: readonly (readonly [string, string])[],
): AllergyDef => ({
  key,
  snomed: sct(...snomed),
  category,
  criticality,
  reactions: reactions.map(([c, d]) => sct(c, d)),
});

const URTICARIA = ['126485001', 'Urticaria'] as const;
const ANAPHYLAXIS = ['39579001', 'Anaphylaxis'] as const;
const ANGIOEDEMA = ['41291007', 'Angioedema'] as const;
const RHINITIS = ['61582004', 'Allergic rhinitis'] as const;

export const ALLERGIES: readonly AllergyDef[] = [
  allergy('penicillin', ['91936005', 'Allergy to penicillin'], 'medication', 'high', [URTICARIA, ANAPHYLAXIS]),
  allergy('aspirin', ['293586001', 'Allergy to aspirin'], 'medication', 'low', [['56018004', 'Wheezing'], URTICARIA]),
  allergy('peanut', ['91935009', 'Allergy to peanut'], 'food', 'high', [ANAPHYLAXIS, ANGIOEDEMA]),
  allergy('shellfish', ['300913006', 'Shellfish allergy'], 'food', 'high', [URTICARIA, ANGIOEDEMA]),
  allergy('egg', ['91930004', 'Allergy to eggs'], 'food', 'low', [['271807003', 'Eruption of skin']]),
  allergy('latex', ['300916003', 'Latex allergy'], 'environment', 'low', [
    ['40275004', 'Contact dermatitis'],
    URTICARIA,
  ]),
  allergy('bee-venom', ['424213003', 'Allergy to bee venom'], 'environment', 'high', [ANAPHYLAXIS]),
  allergy('grass-pollen', ['418689008', 'Allergy to grass pollen'], 'environment', 'low', [RHINITIS]),
  allergy('house-dust-mite', ['232350006', 'House dust mite allergy'], 'environment', 'low', [RHINITIS]),
];

const vaccine = (
  key: string,
  cvxCode: [string, string],
  snomed: [string, string],
  ages: { minAge?: number; maxAge?: number } = {},
): VaccineDef => ({
  key,
  cvx: cvx(...cvxCode),
  snomed: sct(...snomed),
  ...ages,
});

export const VACCINES: readonly VaccineDef[] = [
  vaccine(
    'influenza',
    ['140', 'Influenza, seasonal, injectable, preservative free'],
    ['836377006', 'Influenza virus antigen-containing vaccine product'],
  ),
  vaccine(
    'covid-19',
    ['208', 'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose'],
    ['1119349007', 'SARS-CoV-2 mRNA vaccine'],
  ),
  vaccine(
    'tdap',
    ['115', 'Tdap'],
    [
      '871875004',
      'Vaccine product containing only Bordetella pertussis and Clostridium tetani and Corynebacterium diphtheriae antigens',
    ],
  ),
  vaccine(
    'hepatitis-b',
    ['43', 'Hepatitis B vaccine, adult dosage'],
    ['836374004', 'Hepatitis B virus antigen-containing vaccine product'],
  ),
  vaccine('mmr', ['03', 'MMR'], ['836382004', 'Measles morbillivirus antigen-containing vaccine product'], {
    maxAge: 60,
  }),
  vaccine(
    'pneumococcal',
    ['33', 'pneumococcal polysaccharide vaccine, 23 valent'],
    ['836398006', 'Streptococcus pneumoniae antigen-containing vaccine product'],
    { minAge: 60 },
  ),
  vaccine(
    'zoster',
    ['187', 'zoster vaccine recombinant'],
    ['836495005', 'Human alphaherpesvirus 3 antigen-containing vaccine product'],
    {
      minAge: 50,
    },
  ),
  vaccine(
    'tick-borne-encephalitis',
    ['77', 'tick-borne encephalitis'],
    ['836403007', 'Tick-borne encephalitis virus antigen-containing vaccine product'],
  ),
  vaccine(
    'hpv',
    ['165', 'Human Papillomavirus 9-valent vaccine'],
    ['836379009', 'Human papillomavirus antigen-containing vaccine product'],
    {
      maxAge: 45,
    },
  ),
];

export const PROCEDURES: readonly ProcedureDef[] = [
  { key: 'spirometry', snomed: sct('127783003', 'Spirometry') },
  { key: 'cardioversion', snomed: sct('180325003', 'Electrical cardioversion') },
  { key: 'echocardiography', snomed: sct('40701008', 'Echocardiography') },
  { key: 'coronary-angiography', snomed: sct('33367005', 'Angiography of coronary artery') },
  { key: 'pci', snomed: sct('415070008', 'Percutaneous coronary intervention') },
  { key: 'egd', snomed: sct('76009000', 'Esophagogastroduodenoscopy') },
  { key: 'knee-replacement', snomed: sct('609588000', 'Total knee replacement') },
  { key: 'appendectomy', snomed: sct('80146002', 'Excision of appendix') },
  { key: 'cholecystectomy', snomed: sct('38102005', 'Cholecystectomy') },
  { key: 'colonoscopy', snomed: sct('73761001', 'Colonoscopy'), minAge: 45 },
  { key: 'mammography', snomed: sct('71651007', 'Mammography'), minAge: 40, gender: 'female' },
];

/** Procedures anyone of the right age and gender may have had. */
export const GENERAL_PROCEDURES: readonly string[] = ['colonoscopy', 'mammography'];

export const REPORTS: readonly ReportDef[] = [
  {
    key: 'cbc',
    loinc: loinc('58410-2', 'CBC panel - Blood by Automated count'),
    service: 'LAB',
    conclusions: ['Full blood count within normal limits.', 'Mild normocytic anaemia.', 'Leukocytosis.'],
    results: ['haemoglobin', 'wbc'],
  },
  {
    key: 'cmp',
    loinc: loinc('24323-8', 'Comprehensive metabolic 2000 panel - Serum or Plasma'),
    service: 'LAB',
    conclusions: ['Electrolytes and renal function within normal limits.', 'Mildly reduced renal function.'],
    results: ['sodium', 'potassium', 'creatinine', 'glucose'],
  },
  {
    key: 'lipid-panel',
    loinc: loinc('57698-3', 'Lipid panel with direct LDL - Serum or Plasma'),
    service: 'LAB',
    conclusions: ['LDL cholesterol above target.', 'Lipids at target on current therapy.'],
    results: ['ldl', 'cholesterol'],
  },
  {
    key: 'chest-xray',
    loinc: loinc('36643-5', 'XR Chest 2 Views'),
    service: 'RAD',
    conclusions: [
      'No acute cardiopulmonary abnormality.',
      'Right lower lobe consolidation consistent with pneumonia.',
      'Hyperinflated lungs consistent with COPD.',
      'Mild cardiomegaly without pulmonary oedema.',
    ],
    results: [],
  },
  {
    key: 'ecg',
    loinc: loinc('11524-6', 'EKG study'),
    service: 'EC',
    conclusions: [
      'Sinus rhythm, normal ECG.',
      'Atrial fibrillation with controlled ventricular rate.',
      'Left ventricular hypertrophy.',
    ],
    results: ['heart-rate'],
  },
  {
    key: 'genetic-analysis',
    loinc: loinc('51969-4', 'Genetic analysis report'),
    service: 'GE',
    conclusions: ['Germline BRCA1 testing performed; see result for classification.'],
    results: ['brca1'],
  },
];

/** Reports anyone may have. */
export const GENERAL_REPORTS: readonly string[] = ['cbc', 'cmp', 'chest-xray', 'ecg'];

function indexByKey<T extends { readonly key: string }>(items: readonly T[]): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [item.key, item]));
}

export const CONDITION_BY_KEY = indexByKey(CONDITIONS);
export const MEDICATION_BY_KEY = indexByKey(MEDICATIONS);
export const LAB_BY_KEY = indexByKey(LABS);
export const PROCEDURE_BY_KEY = indexByKey(PROCEDURES);
export const REPORT_BY_KEY = indexByKey(REPORTS);

/** A catalog entry by key; a missing key is a defect of the catalog itself. */
export function entry<T>(map: ReadonlyMap<string, T>, key: string): T {
  const found = map.get(key);
  if (found === undefined) throw new Error(`demo catalog has no entry "${key}"`);
  return found;
}

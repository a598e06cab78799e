import type { Gender } from './catalog-types.js';

export interface NameList {
  readonly female: readonly string[];
  readonly male: readonly string[];
  readonly family: readonly string[];
}

/** Plausible names by ISO country code; `generic` for countries without a list. */
export const NAMES: Readonly<Record<'DE' | 'FR' | 'US' | 'generic', NameList>> = {
  DE: {
    female: ['Anna', 'Maria', 'Sophie', 'Lena', 'Laura', 'Julia', 'Katharina', 'Hannah', 'Sabine', 'Ursula', 'Petra', 'Monika', 'Birgit', 'Claudia'],
    male: ['Lukas', 'Felix', 'Jonas', 'Maximilian', 'Paul', 'Leon', 'Thomas', 'Michael', 'Andreas', 'Stefan', 'Jürgen', 'Klaus', 'Wolfgang', 'Tobias'],
    family: [
      'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann',
      'Koch', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Braun', 'Zimmermann', 'Krüger', 'Hartmann',
    ],
  },
  FR: {
    female: ['Marie', 'Camille', 'Léa', 'Chloé', 'Manon', 'Inès', 'Julie', 'Sophie', 'Nathalie', 'Isabelle', 'Claire', 'Élise', 'Sylvie', 'Aurélie'],
    male: ['Jean', 'Pierre', 'Louis', 'Lucas', 'Hugo', 'Gabriel', 'Nicolas', 'Julien', 'Antoine', 'Thomas', 'Mathieu', 'François', 'Olivier', 'Éric'],
    family: [
      'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau',
      'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'Fontaine', 'Rousseau', 'Girard', 'Lemaire', 'Faure',
    ],
  },
  US: {
    female: ['Emily', 'Sarah', 'Jessica', 'Ashley', 'Jennifer', 'Olivia', 'Madison', 'Elizabeth', 'Megan', 'Linda', 'Patricia', 'Karen', 'Rachel', 'Grace'],
    male: ['James', 'John', 'Robert', 'Michael', 'William', 'David', 'Daniel', 'Matthew', 'Christopher', 'Joshua', 'Ryan', 'Kevin', 'Brian', 'Ethan'],
    family: [
      'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor',
      'Thomas', 'Moore', 'Jackson', 'White', 'Harris', 'Clark', "O'Brien", 'Sullivan', 'Murphy', 'Nguyen',
    ],
  },
  generic: {
    female: ['Maria', 'Ana', 'Elena', 'Sara', 'Lina', 'Nina', 'Eva', 'Mira', 'Amira', 'Ingrid'],
    male: ['Alex', 'Noah', 'Adam', 'Omar', 'David', 'Mateo', 'Luca', 'Erik', 'Jan', 'Karim'],
    family: ['Silva', 'Kowalski', 'Novak', 'Rossi', 'Jensen', 'Nielsen', 'Costa', 'Horvat', 'Popescu', 'Kaya', 'Ivanova', 'Andersson'],
  },
};

/** Home cities by ISO country code, for the Patient address. */
export const CITIES: Readonly<Record<string, readonly string[]>> = {
  DE: ['Berlin', 'Potsdam', 'Hamburg', 'Leipzig', 'München', 'Köln'],
  FR: ['Paris', 'Lyon', 'Marseille', 'Lille', 'Bordeaux', 'Versailles'],
  US: ['Boston', 'Cambridge', 'Worcester', 'Springfield', 'Lowell', 'Quincy'],
};

/** The name list of a country, or the generic one. */
export function namesFor(country: string): NameList {
  return country === 'DE' || country === 'FR' || country === 'US' ? NAMES[country] : NAMES.generic;
}

/** Names of the given gender of a list. */
export function givenNames(list: NameList, gender: Gender): readonly string[] {
  return gender === 'female' ? list.female : list.male;
}

// Status page of cpx-agent: reads /v1/status, then follows /v1/events (SSE); re-reads the
// status on a gap or a reconnection. No framework; card data only ever goes in textContent.
'use strict';

// Every French text of the page, in one place.
const TEXTE = {
  verdict: {
    ready: ['Prête', 'La carte convient pour RPPS+.'],
    warning: ['Attention', 'La carte convient pour RPPS+, mais un point demande attention.'],
    not_ready: ['Pas prête', 'La carte ne convient pas pour RPPS+ en l\u2019état.'],
    unknown: ['Inconnue', 'Impossible de dire sans code porteur si la carte convient.'],
  },
  classe: { ready: 'prete', warning: 'attention', not_ready: 'pas-prete', unknown: 'inconnue' },
  gravite: { error: 'Erreur', warning: 'Attention', info: 'Info' },
  type: { 'CPS': 'CPS', 'CPF': 'CPF', 'CDE/CPE': 'CDE/CPE', 'CDA/CPA': 'CDA/CPA', unknown: 'CPx de type inconnu' },
  famille: {
    cps3: 'CPS3', cps3_contactless: 'CPS3 sans contact', cps4: 'CPS4',
    cps_legacy: 'CPS ancienne génération', not_cpx: 'pas une carte CPx',
  },
  confiance: { production: 'IGC-Santé de production', test: 'IGC-Santé de test', untrusted: 'non reconnue' },
  champ: {
    type: 'Type de carte', famille: 'Puce', porteur: 'Porteur', profession: 'Profession',
    structure: 'Structure', expiration: 'Fin de validité', pin: 'Code porteur (PIN)',
    confiance: 'Certificats', numero: 'N° de carte', serie: 'N° de série de la puce',
  },
  serviceMarche: 'Service carte à puce (PC/SC) : en marche.',
  serviceArrete: 'Service carte à puce (PC/SC) : arrêté ou injoignable — les lecteurs ne sont pas visibles.',
  serviceInconnu: 'Service carte à puce (PC/SC) : état inconnu.',
  remede: 'Que faire : ',
  connecte: 'En direct.',
  miseAJour: 'Mis à jour à ',
  reconnexion: 'Connexion à l\u2019agent perdue : nouvelle tentative…',
  injoignable: 'L\u2019agent ne répond pas : est-il démarré ? (cpx-agent run)',
  aucunLecteur: 'Aucun lecteur détecté : branchez un lecteur de cartes.',
  aucuneCarte: 'Aucune carte dans ce lecteur.',
  modeleInconnu: 'Modèle : inconnu (absent du catalogue des lecteurs).',
  modele: (m) => 'Modèle : ' + m.model + ' (' + m.usb_id + '), clavier : ' +
    (m.pinpad === true ? 'oui' : m.pinpad === false ? 'non' : 'inconnu') + '.',
  lecture: 'Carte insérée : lecture en cours…',
  lectureEchouee: 'Lecture impossible : ',
  masque: 'masqué (voir plus haut)',
  aucunPorteur: 'aucun',
  aucuneStructure: 'non inscrite sur la carte (CPS/CPF : elle n\u2019est lisible qu\u2019avec le code porteur)',
  aucunConstat: 'Aucun point à signaler.',
  constats: 'Constats',
  annuaire: (donnees, importe, jours) => 'Répertoire FINESS local : données du ' + donnees
    + (jours == null ? '' : jours <= 0 ? ' (aujourd\u2019hui)' : jours === 1 ? ' (il y a 1 jour)'
      : ' (il y a ' + jours + ' jours)')
    + ', importé le ' + importe + '.',
  annuaireNonDate: (importe) => 'Répertoire FINESS local importé le ' + importe
    + ' (date des données inconnue).',
  annuaireAncien: ' Il date de plus de 90 jours : mettez-le à jour avec ',
  annuaireAucun: 'Pas de répertoire FINESS local (il dit si un FINESS est une EJ ou un EG) : ',
  annuaireCommande: 'cpx-agent finess update',
  sessionActive: 'Session ouverte : les noms des porteurs sont affichés.',
  sessionAucune: 'Noms des porteurs masqués. Pour les afficher sur ce poste, lancez dans un terminal : ',
  sessionCommande: 'cpx-agent open',
  relireAucune: 'Aucune carte à relire.',
  relireUne: '1 lecture demandée.',
  relireN: (n) => n + ' lectures demandées.',
  relireEchec: 'Relecture refusée : ',
  pin: (etat, essais) => {
    if (etat === 'blocked' || (etat === 'tries_left' && essais === 0)) return 'bloqué';
    if (etat === 'tries_left' && essais === 1) return '1 essai restant';
    if (etat === 'tries_left' && essais != null) return essais + ' essais restants';
    if (etat === 'verified') return 'déjà saisi dans cette session (par un autre logiciel)';
    return 'état inconnu';
  },
  jours: (j) => {
    if (j < -1) return 'expirée depuis ' + (-j) + ' jours';
    if (j === -1) return 'expirée depuis 1 jour';
    if (j === 0) return 'expire aujourd\u2019hui';
    if (j === 1) return 'dans 1 jour';
    return 'dans ' + j + ' jours';
  },
  resume: (lecteurs, parStatut) => {
    const l = lecteurs === 1 ? '1 lecteur' : lecteurs + ' lecteurs';
    const parts = [];
    let cartes = 0;
    for (const s of ['ready', 'warning', 'not_ready', 'unknown']) {
      const n = parStatut[s] || 0;
      cartes += n;
      if (n > 0) parts.push(n + ' ' + TEXTE.verdict[s][0].toLowerCase());
    }
    if (cartes === 0) return l + ', aucune carte lue.';
    return l + ', ' + (cartes === 1 ? '1 carte' : cartes + ' cartes') + ' : ' + parts.join(', ') + '.';
  },
};

// The page keeps no copy of the agent's reducer: on each event it re-reads /v1/status (served
// from bytes serialised once per change). Only which readers are reading a card is its own.
const etat = { service: null, lecteurs: [], lecture: new Set(), annuaire: null };
/// Older than this, the directory is said to be old (as `finess check` does).
const ANNUAIRE_JOURS_MAX = 90;
const articles = new Map();
let connexionPerdue = false;
// Counts what the event stream applied: a /v1/status answer read while the stream moved on
// may be older than what the page shows, so it is dropped and asked for again.
let generation = 0;
const RELECTURES_MAX = 5;
let source = null;

function el(tag, attrs, ...enfants) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of enfants) {
    if (c == null) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

function dateFr(iso) {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  return d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' });
}

function joursRestants(iso) {
  const t = Date.parse(iso);
  if (isNaN(t)) return null;
  return Math.floor((t - Date.now()) / 86400000);
}

function porteur(h) {
  if (!h) return TEXTE.aucunPorteur;
  const nom = [h.given_name, h.surname].filter(Boolean).join(' ');
  const id = h.id ? (h.id_type ? h.id_type + ' ' : '') + h.id : '';
  if (!nom && !id) return TEXTE.masque;
  return [nom, id ? '(' + id + ')' : ''].filter(Boolean).join(' ');
}

// `annuaire`: the structure's name in the local FINESS directory (the verdict's).
function structure(s, annuaire) {
  if (!s) return TEXTE.aucuneStructure;
  const morceaux = [(s.id_type || '') + ' ' + (s.number || s.id || '')];
  const nom = s.name || annuaire;
  if (nom) morceaux.push(nom);
  if (annuaire && s.name && annuaire !== s.name) {
    morceaux.push('répertoire FINESS : ' + annuaire);
  }
  if (s.departement) morceaux.push(s.departement);
  return morceaux.join(' — ');
}

function detailsCarte(carte) {
  const dl = el('dl', { class: 'details' });
  const ligne = (titre, valeur) => dl.append(el('dt', {}, titre), el('dd', {}, valeur));
  ligne(TEXTE.champ.type, TEXTE.type[carte.kind] || carte.kind);
  ligne(TEXTE.champ.famille, TEXTE.famille[carte.family] || carte.family);
  if (carte.family !== 'not_cpx') {
    ligne(TEXTE.champ.porteur, porteur(carte.holder));
    if (carte.holder && carte.holder.title) ligne(TEXTE.champ.profession, carte.holder.title);
    ligne(TEXTE.champ.structure, structure(carte.structure, carte.verdict.directory_name));
    if (carte.not_after) {
      const j = joursRestants(carte.not_after);
      const bientot = (carte.verdict.findings || []).some((f) => f.code === 'card_expires_soon');
      const classe = j != null && j < 0 ? 'expiree' : (bientot ? 'bientot' : '');
      ligne(TEXTE.champ.expiration, el('span', {},
        dateFr(carte.not_after) + ' ',
        j == null ? null : el('span', { class: classe }, '(' + TEXTE.jours(j) + ')')));
    }
    ligne(TEXTE.champ.pin, TEXTE.pin(carte.pin_state, carte.pin_tries_left));
    if (carte.trust) ligne(TEXTE.champ.confiance, TEXTE.confiance[carte.trust] || carte.trust);
  }
  // Identifying numbers: the API sends them only with the session (or the token).
  if (carte.card_number) ligne(TEXTE.champ.numero, carte.card_number);
  if (carte.serial) ligne(TEXTE.champ.serie, carte.serial);
  return dl;
}

function constats(verdict) {
  const bloc = el('div', {}, el('h4', {}, TEXTE.constats));
  // Errors first, then warnings, then information (stable within a severity).
  const rang = { error: 0, warning: 1, info: 2 };
  const findings = (verdict.findings || []).slice()
    .sort((a, b) => (rang[a.severity] ?? 3) - (rang[b.severity] ?? 3));
  if (findings.length === 0) {
    bloc.append(el('p', {}, TEXTE.aucunConstat));
    return bloc;
  }
  const ul = el('ul', { class: 'constats' });
  for (const f of findings) {
    ul.append(el('li', { 'data-code': f.code },
      el('span', { class: 'gravite ' + f.severity }, (TEXTE.gravite[f.severity] || f.severity) + ' :'),
      el('span', { class: 'message' }, f.message),
      f.remedy ? el('p', { class: 'remede' }, el('strong', {}, TEXTE.remede), f.remedy) : null));
  }
  bloc.append(ul);
  return bloc;
}

// One <article> per reader, kept across updates so its aria-live verdict zone stays put.
function article(lecteur) {
  let a = articles.get(lecteur.id);
  if (!a) {
    const titre = el('h3', {});
    const verdict = el('div', { class: 'zone-verdict', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const corps = el('div', { class: 'corps' });
    a = { racine: el('article', { class: 'lecteur', 'data-reader': lecteur.id }, titre, verdict, corps), titre, verdict, corps, cle: '' };
    articles.set(lecteur.id, a);
  }
  return a;
}

function majVerdict(a, carte) {
  const cle = carte ? carte.verdict.status : '';
  if (a.cle === cle) return;
  a.cle = cle;
  a.verdict.replaceChildren();
  if (!carte) return;
  const [mot, phrase] = TEXTE.verdict[cle] || [cle, ''];
  a.verdict.append(
    el('p', { class: 'verdict ' + (TEXTE.classe[cle] || ''), 'data-status': cle }, mot),
    el('p', { class: 'verdict-phrase' }, phrase));
}

// The local FINESS directory: the date of its data, how old, and the command when it is old
// or missing.
function rendreAnnuaire() {
  const p = document.getElementById('annuaire');
  const a = etat.annuaire;
  if (!a) {
    p.className = 'annuaire absent';
    p.replaceChildren(TEXTE.annuaireAucun, el('code', {}, TEXTE.annuaireCommande), '.');
    return;
  }
  const importe = dateFr(a.imported_at);
  const jours = a.data_date ? -joursRestants(a.data_date) : null;
  const texte = a.data_date
    ? TEXTE.annuaire(dateFr(a.data_date), importe, jours)
    : TEXTE.annuaireNonDate(importe);
  const ancien = jours != null && jours > ANNUAIRE_JOURS_MAX;
  p.className = 'annuaire' + (ancien ? ' ancien' : '');
  p.replaceChildren(texte);
  if (ancien) p.append(TEXTE.annuaireAncien, el('code', {}, TEXTE.annuaireCommande), '.');
}

function rendre() {
  rendreAnnuaire();
  const service = document.getElementById('service');
  const remede = document.getElementById('service-remede');
  const arrete = etat.service === 'unavailable';
  service.classList.toggle('arrete', arrete);
  document.getElementById('service-etat').textContent =
    etat.service === 'running' ? TEXTE.serviceMarche : arrete ? TEXTE.serviceArrete : TEXTE.serviceInconnu;
  remede.hidden = !arrete;
  remede.replaceChildren(el('strong', {}, TEXTE.remede), document.body.dataset.pcscRemedy || '');

  const zone = document.getElementById('lecteurs');
  const gardes = new Set();
  const parStatut = {};
  for (const lecteur of etat.lecteurs) {
    const a = article(lecteur);
    gardes.add(lecteur.id);
    const carte = lecteur.card;
    a.titre.textContent = lecteur.name;
    a.racine.className = 'lecteur' + (carte ? ' ' + (TEXTE.classe[carte.verdict.status] || '') : '');
    majVerdict(a, carte);
    a.corps.replaceChildren(el('p', { class: 'modele' },
      lecteur.model ? TEXTE.modele(lecteur.model) : TEXTE.modeleInconnu));
    if (carte) {
      parStatut[carte.verdict.status] = (parStatut[carte.verdict.status] || 0) + 1;
      a.corps.append(detailsCarte(carte), constats(carte.verdict));
    } else if (lecteur.read_error) {
      a.corps.append(el('p', { class: 'erreur-lecture', 'data-code': lecteur.read_error.code },
        TEXTE.lectureEchouee + lecteur.read_error.message));
    } else if (etat.lecture.has(lecteur.id)) {
      a.corps.append(el('p', { class: 'etat-lecteur' }, TEXTE.lecture));
    } else {
      a.corps.append(el('p', { class: 'etat-lecteur' }, TEXTE.aucuneCarte));
    }
    zone.append(a.racine); // appends in order (moves existing nodes)
  }
  for (const [id, a] of articles) {
    if (!gardes.has(id)) { a.racine.remove(); articles.delete(id); }
  }
  let vide = document.getElementById('aucun-lecteur');
  if (etat.lecteurs.length === 0 && etat.service !== 'unavailable') {
    if (!vide) zone.append(el('p', { id: 'aucun-lecteur', class: 'etat-lecteur' }, TEXTE.aucunLecteur));
  } else if (vide) {
    vide.remove();
  }
  texteSiChange('resume', arrete ? TEXTE.serviceArrete : TEXTE.resume(etat.lecteurs.length, parStatut));
}

// Sets a live region's text only when it changes, so screen readers announce changes only.
function texteSiChange(id, texte) {
  const e = document.getElementById(id);
  if (e.textContent !== texte) e.textContent = texte;
}

function connexion(ok, texte) {
  document.getElementById('connexion').classList.toggle('perdue', !ok);
  texteSiChange('connexion-etat', ok ? TEXTE.connecte : texte);
  document.getElementById('mise-a-jour').textContent =
    ok ? TEXTE.miseAJour + new Date().toLocaleTimeString('fr-FR') : '';
}

function instantane(status) {
  generation++;
  etat.service = status.service;
  etat.annuaire = status.finess_directory || null;
  etat.lecteurs = (status.readers || []).map((r) => Object.assign({}, r));
  for (const l of etat.lecteurs) {
    if (l.card || l.read_error) etat.lecture.delete(l.id);
  }
  rendre();
}

async function relireEtat() {
  try {
    for (let essai = 1; ; essai++) {
      const avant = generation;
      const r = await fetch('/v1/status', { cache: 'no-store' });
      if (!r.ok) throw new Error(String(r.status));
      const status = await r.json();
      if (generation !== avant && essai < RELECTURES_MAX) continue;
      instantane(status);
      break;
    }
    if (!connexionPerdue) connexion(true);
  } catch (e) {
    connexion(false, TEXTE.injoignable);
  }
}

// One re-read at a time; events arriving meanwhile ask for one more, after it.
let relectureEnCours = null;
let relireEncore = false;
function demanderRelecture() {
  if (relectureEnCours) { relireEncore = true; return; }
  relectureEnCours = relireEtat().finally(() => {
    relectureEnCours = null;
    if (relireEncore) { relireEncore = false; demanderRelecture(); }
  });
}

// An event of the log: note which readers are reading, then re-read the agent's state.
function evenement(nom, data) {
  generation++;
  switch (nom) {
    case 'card_inserted': etat.lecture.add(data.reader); rendre(); break;
    case 'card_read': case 'read_failed': case 'card_removed': case 'reader_removed':
      etat.lecture.delete(data.reader); break;
    case 'service_lost': etat.lecture.clear(); break;
    case 'checklist_changed': case 'config_reloaded': demanderDemarche(); break;
    default: break;
  }
  demanderRelecture();
  connexion(true);
}

const EVENEMENTS = ['reader_added', 'reader_removed', 'card_inserted', 'card_read', 'read_failed',
  'card_removed', 'verdict_changed', 'service_lost', 'service_restored', 'checklist_changed',
  'config_reloaded', 'directory_updated'];

function suivre() {
  source = new EventSource('/v1/events');
  source.addEventListener('open', () => {
    connexion(true);
    if (connexionPerdue) { connexionPerdue = false; demanderRelecture(); demanderDemarche(); }
  });
  source.addEventListener('error', () => {
    connexionPerdue = true;
    connexion(false, TEXTE.reconnexion);
    if (source.readyState === EventSource.CLOSED) {
      // Refused (e.g. too many clients): the browser will not retry by itself.
      setTimeout(suivre, 5000);
    }
  });
  source.addEventListener('snapshot', (e) => {
    try { instantane(JSON.parse(e.data)); connexion(true); } catch (_) { demanderRelecture(); }
  });
  source.addEventListener('gap', () => demanderRelecture());
  for (const nom of EVENEMENTS) {
    source.addEventListener(nom, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch (_) { return demanderRelecture(); }
      evenement(nom, data);
    });
  }
}

async function relireCartes() {
  const bouton = document.getElementById('relire');
  const resultat = document.getElementById('relire-resultat');
  bouton.disabled = true;
  resultat.textContent = '';
  try {
    const r = await fetch('/v1/refresh', { method: 'POST' });
    const j = await r.json();
    if (r.ok) {
      const n = j.reads_queued;
      resultat.textContent = n === 0 ? TEXTE.relireAucune : n === 1 ? TEXTE.relireUne : TEXTE.relireN(n);
    } else {
      resultat.textContent = TEXTE.relireEchec + (j.message || r.status);
    }
  } catch (e) {
    resultat.textContent = TEXTE.injoignable;
  } finally {
    bouton.disabled = false;
  }
}

function session() {
  const p = document.getElementById('session');
  if (document.body.dataset.session === 'active') {
    p.textContent = TEXTE.sessionActive;
  } else {
    p.replaceChildren(TEXTE.sessionAucune, el('code', {}, TEXTE.sessionCommande), '.');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  session();
  document.getElementById('relire').addEventListener('click', relireCartes);
  document.getElementById('imprimer').addEventListener('click', () => window.print());
  document.getElementById('demarche-etapes').addEventListener('submit', cocherEtape);
  document.getElementById('demarche-etapes').addEventListener('click', boutonEtape);
  document.getElementById('contrat-form').addEventListener('submit', enregistrerContrat);
  document.getElementById('contrat-ej').addEventListener('change', () => chercherFiness('contrat-ej', 'contrat-ej-info'));
  document.getElementById('contrat-egs').addEventListener('change', () => chercherFiness('contrat-egs', 'contrat-egs-info'));
  document.getElementById('eligibilite-form').addEventListener('submit', verifierEligibilite);
  relireDemarche();
  relireEtat().then(suivre);
});

// ----- Démarche RPPS+ -----------------------------------------------------------------------

const DEMARCHE = {
  etat: {
    done: ['Fait', 'fait'], todo: ['À faire', 'a-faire'], attention: ['Attention', 'attention'],
    optional: ['Facultatif', 'facultatif'], not_applicable: ['Sans objet', 'sans-objet'],
  },
  progres: (fait, total) => fait + '/' + total + ' étapes',
  progresPhrase: (fait, total, attention) => 'Démarche RPPS+ : ' + fait + '/' + total + ' étapes faites' +
    (attention ? ', ' + attention + (attention === 1 ? ' demande' : ' demandent') + ' attention.' : '.'),
  prochaine: 'Prochaine étape : ',
  toutFait: 'Toutes les étapes sont faites.',
  parAgent: (date) => 'vérifié par l\u2019agent' + (date ? ' le ' + dateFr(date) : ''),
  constatAgent: (date) => 'constaté par l\u2019agent' + (date ? ' le ' + dateFr(date) : ''),
  parPersonne: (date, qui) => 'coché' + (date ? ' le ' + dateFr(date) : '') + (qui ? ' par ' + qui : ''),
  quoiFaire: 'Que faire : ',
  note: 'Note : ',
  noteChamp: 'Note (facultatif)',
  dateChamp: 'Fait le',
  cocher: 'Cocher comme fait',
  decocher: 'Décocher',
  sansObjet: 'Sans objet',
  sansSession: 'Pour cocher depuis cette page, ouvrez-la avec « cpx-agent open ».',
  coche: (titre) => 'Étape cochée : ' + titre + '.',
  decoche: (titre) => 'Étape décochée : ' + titre + '.',
  refus: 'Refusé : ',
  contrat: (c) => {
    if (!c.mode) return 'Contrat RPPS+ non configuré : réglez-le ci-dessous ou avec « cpx-agent setup ».';
    const nom = c.ej_name ? ' (' + c.ej_name + ')' : '';
    if (c.mode === 'centralised') return 'Contrat centralisé sur l\u2019EJ ' + c.ej + nom + '.';
    return 'Contrat décentralisé : EJ ' + c.ej + nom + ', EG ' + c.egs.join(', ') + '.';
  },
  oui: 'oui', non: 'non',
  verdict: { ready: 'prête', warning: 'attention', not_ready: 'pas prête', unknown: 'inconnue' },
  eligibilite: { eligible: 'À enregistrer dans RPPS+.', not_eligible: 'Pas concernée par RPPS+.', to_check: 'À vérifier.' },
  contratEnregistre: 'Contrat enregistré. ',
  recherche: (l) => {
    const morceaux = [l.finess + ' :'];
    if (l.found) morceaux.push((l.kind || '') + ' ' + (l.name || ''));
    if (l.ej) morceaux.push('(rattaché à l\u2019EJ ' + l.ej + (l.ej_name ? ' ' + l.ej_name : '') + ')');
    if (l.closed) morceaux.push('— fermé');
    return morceaux.join(' ');
  },
};

let demarche = null;
let demarcheTexte = '';
let demarcheEnCours = null;
let demarcheEncore = false;

function demanderDemarche() {
  if (demarcheEnCours) { demarcheEncore = true; return; }
  demarcheEnCours = relireDemarche().finally(() => {
    demarcheEnCours = null;
    if (demarcheEncore) { demarcheEncore = false; demanderDemarche(); }
  });
}

async function relireDemarche() {
  try {
    const r = await fetch('/v1/checklist', { cache: 'no-store' });
    if (!r.ok) return;
    const texte = await r.text();
    if (texte === demarcheTexte) return;
    demarcheTexte = texte;
    demarche = JSON.parse(texte);
    rendreDemarche();
  } catch (_) { /* the connection state says it */ }
}

function sessionActive() {
  return document.body.dataset.session === 'active';
}

function provenance(e) {
  if (e.source === 'agent' && e.state === 'attention') return DEMARCHE.constatAgent(e.at);
  if (e.source === 'agent' && e.state !== 'todo') return DEMARCHE.parAgent(e.at);
  if (e.source === 'person') return DEMARCHE.parPersonne(e.at, e.by);
  return '';
}

function cleEtape(e) { return e.id + (e.eg ? '-' + e.eg : ''); }

function formulaireEtape(e) {
  const cle = cleEtape(e);
  if (!e.tickable) return null;
  if (!sessionActive()) return null;
  if (e.state === 'done' || e.state === 'not_applicable') {
    if (e.source !== 'person') return null;
    return el('p', { class: 'commandes' },
      el('button', { type: 'button', 'data-action': 'decocher', 'data-step': e.id, 'data-eg': e.eg || '' }, DEMARCHE.decocher));
  }
  const form = el('form', { class: 'cocher', 'data-step': e.id, 'data-eg': e.eg || '', novalidate: '' },
    el('label', { for: 'note-' + cle }, DEMARCHE.noteChamp),
    el('input', { id: 'note-' + cle, name: 'note', autocomplete: 'off', size: '30', maxlength: '1000' }),
    el('label', { for: 'date-' + cle }, DEMARCHE.dateChamp),
    el('input', { id: 'date-' + cle, name: 'date', type: 'date' }),
    el('button', { type: 'submit' }, DEMARCHE.cocher));
  if (e.state === 'optional') {
    form.append(el('button', { type: 'button', 'data-action': 'sans-objet', 'data-step': e.id, 'data-eg': e.eg || '' }, DEMARCHE.sansObjet));
  }
  return form;
}

function etapeLi(e) {
  const [mot, classe] = DEMARCHE.etat[e.state] || [e.state, ''];
  const li = el('li', { class: 'etape ' + classe, 'data-step': e.id, 'data-state': e.state });
  if (e.eg) li.dataset.eg = e.eg;
  const entete = el('div', { class: 'etape-entete' },
    el('span', { class: 'etat ' + classe }, mot),
    el('h3', {}, e.title));
  li.append(entete);
  const origine = provenance(e);
  if (origine) li.append(el('p', { class: 'provenance' }, origine));
  for (const t of [e.detail, e.hint]) if (t) li.append(el('p', { class: 'detail' }, t));
  if (e.note) li.append(el('p', { class: 'note' }, el('strong', {}, DEMARCHE.note), e.note));
  if (e.findings && e.findings.length) {
    const ul = el('ul', { class: 'constats' });
    for (const f of e.findings) {
      ul.append(el('li', { 'data-code': f.code },
        el('span', { class: 'gravite ' + f.severity }, (TEXTE.gravite[f.severity] || f.severity) + ' :'),
        el('span', { class: 'message' }, f.message),
        f.remedy ? el('p', { class: 'remede' }, el('strong', {}, TEXTE.remede), f.remedy) : null));
    }
    li.append(ul);
  }
  if (e.state === 'todo' || e.state === 'attention' || e.state === 'optional') {
    li.append(el('p', { class: 'quoi-faire' }, el('strong', {}, DEMARCHE.quoiFaire), e.what_to_do));
  }
  const form = formulaireEtape(e);
  if (form) li.append(form);
  return li;
}

function rendreDemarche() {
  const d = demarche;
  if (!d) return;
  // Keep what someone is typing in a step's form across a re-render.
  const actif = document.activeElement && document.activeElement.id;
  const saisies = {};
  for (const i of document.querySelectorAll('#demarche-etapes input')) saisies[i.id] = i.value;

  document.getElementById('demarche-contrat').textContent = DEMARCHE.contrat(d);
  texteSiChange('demarche-progres', DEMARCHE.progresPhrase(d.done, d.total, d.attention));
  const barre = document.getElementById('demarche-barre');
  barre.max = Math.max(d.total, 1);
  barre.value = d.done;
  barre.textContent = DEMARCHE.progres(d.done, d.total);
  const prochaine = document.getElementById('demarche-prochaine');
  prochaine.replaceChildren();
  if (d.next) {
    const etape = d.steps.find((s) => s.id === d.next.id && (s.eg || null) === (d.next.eg || null));
    prochaine.append(el('p', { class: 'prochaine-titre' }, el('strong', {}, DEMARCHE.prochaine), d.next.title));
    if (etape) prochaine.append(el('p', {}, etape.what_to_do));
  } else {
    prochaine.append(el('p', { class: 'prochaine-titre' }, DEMARCHE.toutFait));
  }
  const liste = document.getElementById('demarche-etapes');
  liste.replaceChildren(...d.steps.map(etapeLi));
  const sans = document.getElementById('demarche-sans-session');
  sans.hidden = sessionActive();
  sans.textContent = DEMARCHE.sansSession;
  for (const [id, v] of Object.entries(saisies)) {
    const i = document.getElementById(id);
    if (i) i.value = v;
  }
  if (actif) { const a = document.getElementById(actif); if (a) a.focus(); }

  const vues = d.cards_seen || [];
  const table = document.getElementById('cartes-vues-table');
  document.getElementById('cartes-vues-vide').hidden = vues.length > 0;
  table.hidden = vues.length === 0;
  const contrat = d.mode === 'decentralised' ? d.egs : (d.ej ? [d.ej] : []);
  table.tBodies[0].replaceChildren(...vues.map((c) => el('tr', {},
    el('td', {}, c.kind), el('td', {}, c.finess),
    el('td', {}, contrat.includes(c.finess) ? DEMARCHE.oui : DEMARCHE.non),
    el('td', {}, c.director ? DEMARCHE.oui : DEMARCHE.non),
    el('td', {}, DEMARCHE.verdict[c.status] || c.status),
    el('td', {}, dateFr(c.first_seen)), el('td', {}, dateFr(c.last_seen)))));
}

async function envoyerCoche(step, eg, corps) {
  const resultat = document.getElementById('demarche-resultat');
  resultat.textContent = '';
  if (eg) corps.eg = eg;
  try {
    const r = await fetch('/v1/checklist/' + encodeURIComponent(step), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(corps),
    });
    const j = await r.json();
    if (!r.ok) { resultat.textContent = DEMARCHE.refus + (j.message || r.status); return; }
    const ligne = j.steps.find((s) => s.id === step && (s.eg || '') === (eg || ''));
    const titre = ligne ? ligne.title : step;
    resultat.textContent = corps.done ? DEMARCHE.coche(titre) : DEMARCHE.decoche(titre);
    demarcheTexte = JSON.stringify(j);
    demarche = j;
    rendreDemarche();
  } catch (_) {
    resultat.textContent = TEXTE.injoignable;
  }
}

function cocherEtape(ev) {
  const form = ev.target.closest('form.cocher');
  if (!form) return;
  ev.preventDefault();
  const corps = { done: true };
  const note = form.elements.note.value.trim();
  const date = form.elements.date.value;
  if (note) corps.note = note;
  if (date) corps.date = date;
  envoyerCoche(form.dataset.step, form.dataset.eg, corps);
}

function boutonEtape(ev) {
  const b = ev.target.closest('button[data-action]');
  if (!b) return;
  if (b.dataset.action === 'decocher') envoyerCoche(b.dataset.step, b.dataset.eg, { done: false });
  if (b.dataset.action === 'sans-objet') envoyerCoche(b.dataset.step, b.dataset.eg, { done: true, not_applicable: true });
}

function numeros(texte) {
  return texte.split(/[\s,;]+/).map((n) => n.trim()).filter(Boolean);
}

async function chercherFiness(champ, zone) {
  const sortie = document.getElementById(zone);
  const liste = numeros(document.getElementById(champ).value);
  const lignes = [];
  for (const n of liste) {
    try {
      const r = await fetch('/v1/finess/' + encodeURIComponent(n), { cache: 'no-store' });
      if (!r.ok) continue;
      const l = await r.json();
      lignes.push(el('p', { class: l.valid && l.found && !(l.notes || []).length ? 'trouve' : 'avertissement' },
        DEMARCHE.recherche(l), ...(l.notes || []).map((t) => el('span', { class: 'note-finess' }, ' ' + t))));
    } catch (_) { /* the connection state says it */ }
  }
  sortie.replaceChildren(...lignes);
}

async function enregistrerContrat(ev) {
  ev.preventDefault();
  const form = ev.target;
  const resultat = document.getElementById('contrat-resultat');
  resultat.textContent = '';
  const corps = {
    mode: form.elements.mode.value,
    ej: form.elements.ej.value.trim(),
    egs: numeros(form.elements.egs.value),
  };
  try {
    const r = await fetch('/v1/config', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(corps),
    });
    const j = await r.json();
    resultat.textContent = r.ok ? DEMARCHE.contratEnregistre + j.message : DEMARCHE.refus + (j.message || r.status);
  } catch (_) {
    resultat.textContent = TEXTE.injoignable;
  }
}

async function verifierEligibilite(ev) {
  ev.preventDefault();
  const form = ev.target;
  const sortie = document.getElementById('eligibilite-resultat');
  const corps = {
    profession: form.elements.profession.value,
    medical_data: form.elements.medical_data.value === 'oui',
    mss: form.elements.mss.value === 'oui',
  };
  const rpps = form.elements.rpps.value.trim();
  if (rpps) corps.rpps = rpps;
  try {
    const r = await fetch('/v1/eligibility', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(corps),
    });
    const j = await r.json();
    if (!r.ok) { sortie.replaceChildren(el('p', {}, DEMARCHE.refus + (j.message || r.status))); return; }
    sortie.replaceChildren(
      el('p', { class: 'eligibilite-verdict', 'data-verdict': j.verdict }, DEMARCHE.eligibilite[j.verdict] || j.verdict),
      el('ul', {}, ...j.criteria.map((c) => el('li', {}, (c.ok === true ? '✓ ' : c.ok === false ? '✗ ' : '? ') + c.message))));
  } catch (_) {
    sortie.replaceChildren(el('p', {}, TEXTE.injoignable));
  }
}

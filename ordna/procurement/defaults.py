"""The default rule set Ordna ships: "Borås Stad — kommunövergripande riktlinjer", the
city-wide guideline for when a need is ordered from Servicekontoret and when it is
procured, with the example cases it must pass before it is published.

The text is the demo's wording of a guideline the city has not yet adopted (that gap is
the seed's point); the legal facts behind it are in ../shared/domain/BRIEF.md §2.
`{law}` in a legal basis becomes LOU or LUF, whichever applies to the need.
"""

from __future__ import annotations

NAME = "Borås Stad — kommunövergripande riktlinjer"
DESCRIPTION = (
    "Riktlinjer för när stadens förvaltningar och bolag beställer från Servicekontoret och "
    "när de upphandlar enligt LOU eller LUF. Riktlinjen gäller alla nämnder och de bolag "
    "som kommunen kontrollerar. Beslutsregeln tillämpas av Ordna på varje behov, och varje "
    "bedömning sparas med ett kvitto som visar underlaget."
)


def _c(field, value, op="eq"):
    return {"field": field, "op": op, "value": value}


RULES = [
    {
        "key": "internt",
        "conditions": [_c("relation", "same_legal_person"), _c("provider_offers", True)],
        "route": "internal_order",
        "explanation": (
            "Servicekontoret erbjuder tjänsten och beställaren tillhör samma juridiska person "
            "som Servicekontoret (Borås kommun). En kommun kan inte sluta avtal med sig själv, "
            "så behovet beställs internt och upphandlingslagarna gäller inte. Riktlinjen "
            "kräver att stadens egen utförare anlitas när den erbjuder tjänsten, så att "
            "koncernnyttan tas till vara."
        ),
        "legal_basis": "Ingen upphandling: samma juridiska person (MD 2016:3)",
        "clause": "3.1",
    },
    {
        "key": "egen-regi-bolag",
        "conditions": [_c("relation", "controlled_company"), _c("provider_offers", True)],
        "route": "in_house_award",
        "explanation": (
            "Beställaren är ett bolag som kommunen kontrollerar, och Servicekontoret erbjuder "
            "tjänsten. Bolaget får köpa av sin ägare utan upphandling (omvänd intern "
            "upphandling) när kontrollen motsvarar den över kommunens egna förvaltningar. "
            "Ägarkedjan redovisas i kvittot som underlag."
        ),
        "legal_basis": "LOU 3 kap. 14 §",
        "clause": "3.2",
    },
    {
        "key": "ramavtal",
        "conditions": [_c("framework_agreement", True)],
        "route": "framework_call_off",
        "explanation": (
            "Ett gällande ramavtal täcker behovet. Avropa enligt ramavtalets villkor och köp "
            "inte samma sak utanför avtalet."
        ),
        "legal_basis": "{law} 7 kap.",
        "clause": "3.3",
    },
    {
        "key": "synnerlig-bradska",
        "conditions": [_c("extreme_urgency", True)],
        "route": "direct_award",
        "explanation": (
            "Synnerlig brådska som inte kunnat förutses gör det omöjligt att hålla "
            "tidsfristerna för ett annonserat förfarande. Direktupphandla bara det som är "
            "absolut nödvändigt för stunden och dokumentera skälen."
        ),
        "legal_basis": "{law} 19 a kap. 1 §",
        "clause": "3.4",
    },
    {
        "key": "smakop",
        "conditions": [_c("value_band", "below_documentation_limit")],
        "route": "direct_award",
        "explanation": (
            "Det uppskattade värdet understiger 100 000 kronor. Direktupphandla affärsmässigt, "
            "helst genom att jämföra flera leverantörer."
        ),
        "legal_basis": "{law} 19 a kap. 1 §",
        "clause": "3.5",
    },
    {
        "key": "direktupphandling",
        "conditions": [_c("value_band", "below_direct_award_limit")],
        "route": "direct_award",
        "explanation": (
            "Det uppskattade värdet, med optioner och förlängningar räknade som utnyttjade, "
            "understiger direktupphandlingsgränsen. Direktupphandling får användas. Begär "
            "om möjligt minst tre anbud och dokumentera köpet."
        ),
        "legal_basis": "{law} 19 a kap. 1 §",
        "clause": "3.6",
    },
    {
        "key": "under-troskelvarde",
        "conditions": [_c("value_band", "below_threshold")],
        "route": "national_procedure",
        "explanation": (
            "Värdet ligger mellan direktupphandlingsgränsen och tröskelvärdet. Upphandla med "
            "ett annonserat förfarande enligt 19 kap. tillsammans med upphandlingsenheten."
        ),
        "legal_basis": "{law} 19 kap.",
        "clause": "3.7",
    },
    {
        "key": "over-troskelvarde",
        "conditions": [_c("value_band", "threshold_or_above")],
        "route": "eu_procedure",
        "explanation": (
            "Värdet når tröskelvärdet. Upphandla enligt de EU-gemensamma reglerna, med "
            "annonsering i hela EU, tillsammans med upphandlingsenheten."
        ),
        "legal_basis": "{law} 6 kap.",
        "clause": "3.8",
    },
]

D = "2025-06-02"

# name, need, expected route, expected law ("" = none)
EXAMPLES = [
    (
        "Förvaltning beställer IT-arbetsplatser",
        {
            "date": D,
            "purchaser": "TF",
            "category": "services",
            "annual_value_sek": 480000,
            "contract_years": 3,
            "service_code": "IT-ARBETSPLATS",
        },
        "internal_order",
        "",
    ),
    (
        "Tjänst i utbudet utan tjänstekod",
        {
            "date": D,
            "purchaser": "LF",
            "category": "services",
            "one_off_value_sek": 250000,
            "provider_offers": True,
        },
        "internal_order",
        "",
    ),
    (
        "AB Bostäder köper IT-arbetsplatser av Servicekontoret",
        {
            "date": D,
            "purchaser": "ABB",
            "category": "services",
            "annual_value_sek": 400000,
            "contract_years": 3,
            "service_code": "IT-ARBETSPLATS",
        },
        "in_house_award",
        "LOU",
    ),
    (
        "Avrop från ramavtal",
        {
            "date": D,
            "purchaser": "TF",
            "category": "supplies",
            "one_off_value_sek": 300000,
            "framework_agreement": True,
        },
        "framework_call_off",
        "LOU",
    ),
    (
        "Synnerlig brådska",
        {
            "date": D,
            "purchaser": "TF",
            "category": "services",
            "one_off_value_sek": 900000,
            "extreme_urgency": True,
        },
        "direct_award",
        "LOU",
    ),
    (
        "Småköp under dokumentationsgränsen",
        {"date": D, "purchaser": "FFF", "category": "supplies", "one_off_value_sek": 45000},
        "direct_award",
        "LOU",
    ),
    (
        "Direktupphandling som ska dokumenteras",
        {"date": D, "purchaser": "FFF", "category": "services", "one_off_value_sek": 650000},
        "direct_award",
        "LOU",
    ),
    (
        "Optioner räknas: 200 000 kr om året i 2 + 2 år",
        {
            "date": D,
            "purchaser": "TF",
            "category": "services",
            "annual_value_sek": 200000,
            "contract_years": 2,
            "extension_years": 2,
        },
        "national_procedure",
        "LOU",
    ),
    (
        "Över tröskelvärdet",
        {
            "date": D,
            "purchaser": "TF",
            "category": "services",
            "annual_value_sek": 1000000,
            "contract_years": 3,
        },
        "eu_procedure",
        "LOU",
    ),
    (
        "Byggentreprenad under tröskelvärdet för byggentreprenader",
        {"date": D, "purchaser": "LF", "category": "works", "one_off_value_sek": 10000000},
        "national_procedure",
        "LOU",
    ),
    (
        "Borås Energi och Miljö: ledningsarbete i försörjningsverksamheten (LUF)",
        {
            "date": D,
            "purchaser": "BEM",
            "category": "works",
            "one_off_value_sek": 1000000,
            "utility_activity": True,
        },
        "direct_award",
        "LUF",
    ),
    (
        "Borås Energi och Miljö: material över LUF:s tröskelvärde",
        {
            "date": D,
            "purchaser": "BEM",
            "category": "supplies",
            "one_off_value_sek": 5000000,
            "utility_activity": True,
        },
        "eu_procedure",
        "LUF",
    ),
    (
        "Borås Energi och Miljö: kontorsmaterial utanför försörjningsverksamheten",
        {
            "date": D,
            "purchaser": "BEM",
            "category": "supplies",
            "one_off_value_sek": 1000000,
        },
        "national_procedure",
        "LOU",
    ),
    (
        "Sociala tjänster: gränsen är tröskelvärdet",
        {
            "date": D,
            "purchaser": "VAF",
            "category": "social_services",
            "one_off_value_sek": 5000000,
        },
        "direct_award",
        "LOU",
    ),
    (
        "Sociala tjänster över tröskelvärdet",
        {
            "date": D,
            "purchaser": "VAF",
            "category": "social_services",
            "annual_value_sek": 3000000,
            "contract_years": 3,
        },
        "eu_procedure",
        "LOU",
    ),
]

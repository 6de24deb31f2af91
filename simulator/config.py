"""Scales, code lists and the rates the simulator uses.

Every categorical value written to a return comes from a list here; the staff groups, job roles and
leaving reasons are those of the crosswalks in `seeds/reference`, matched as the warehouse matches them
(case, spaces and '&'/'and' ignored; one deliberate exception, `MESSY_NHS_REASON`, is a messy case listed
in truth.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field

REPO_ROOT_MARKER = "pyproject.toml"

# --------------------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trust:
    code: str
    name: str
    org_type: str  # Acute trust, Mental health trust, Community trust, Ambulance trust
    size: int  # substantive headcount at the start of the burn-in


@dataclass(frozen=True)
class Scale:
    name: str
    first_month: str
    n_months: int
    trusts: tuple[Trust, ...]
    n_asc: int
    asc_mean_size: float
    n_vcse: int
    default_out: str
    burn_in: int = 12
    merger_from: str = "R1J"  # predecessor (community trust) merging into merger_into
    merger_into: str = "RT5"
    extra: dict = field(default_factory=dict)


DEMO_TRUSTS = (
    Trust("RWE", "University Hospitals of Leicester NHS Trust", "Acute trust", 900),
    Trust("RT5", "Leicestershire Partnership NHS Trust", "Mental health trust", 400),
    Trust("R1J", "Leicestershire Community Health Services NHS Trust", "Community trust", 160),
)

ICS_TRUSTS = (
    Trust("RWE", "University Hospitals of Leicester NHS Trust", "Acute trust", 9000),
    Trust("RT5", "Leicestershire Partnership NHS Trust", "Mental health trust", 4200),
    Trust("R1J", "Leicestershire Community Health Services NHS Trust", "Community trust", 1500),
    Trust("RX9", "East Midlands Ambulance Service NHS Trust", "Ambulance trust", 3300),
    Trust("RTG", "University Hospitals of Derby and Burton NHS Foundation Trust", "Acute trust", 5500),
    Trust("RY8", "Derbyshire Community Health Services NHS Foundation Trust", "Community trust", 1800),
)

SCALES = {
    "demo": Scale("demo", "2023-01", 25, DEMO_TRUSTS, 40, 14.0, 12, "seeds/returns"),
    "ics": Scale("ics", "2022-01", 36, ICS_TRUSTS, 600, 33.0, 60, "data/ics/returns"),
    # region: the ics trusts plus 54 more from the ODS etr file (chosen at run time), ~10x ics.
    "region": Scale(
        "region", "2022-01", 36, ICS_TRUSTS, 6000, 33.0, 600, "data/region/returns", extra={"n_trusts": 60}
    ),
}

ICB = {"org_code": "QK1", "org_name": "NHS Leicester, Leicestershire and Rutland ICB", "org_type": "ICB"}
UNREGISTERED_CODE = "RX1"  # sends one nhs_pwr return but is not in the partner register

NHS_EXPECTED = "nhs_esr_staff;nhs_esr_leavers;nhs_pwr;nhs_recruitment;nhs_staff_survey;nhs_wres"
ASC_EXPECTED = "asc_wds_workers;asc_wds_establishments"

# --------------------------------------------------------------------------------------------------
# Person attributes
# --------------------------------------------------------------------------------------------------

AGE_BANDS = ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]
GENDERS = ["Female", "Male", "Other", "Not stated"]
GENDER_P = {"NHS": [0.77, 0.224, 0.002, 0.004], "ASC": [0.81, 0.18, 0.003, 0.007]}
ETHNIC = ["White", "Mixed", "Asian", "Black", "Other", "Not stated"]
ETHNIC_P = {"NHS": [0.58, 0.03, 0.26, 0.07, 0.03, 0.03], "ASC": [0.62, 0.03, 0.17, 0.12, 0.03, 0.03]}
DISABILITY = ["Yes", "No", "Not declared"]
DISABILITY_P = [0.055, 0.82, 0.125]
NATIONALITY = ["British", "EU", "Non-EU", "Unknown"]
NATIONALITY_P = [0.78, 0.07, 0.13, 0.02]

# --------------------------------------------------------------------------------------------------
# NHS
# --------------------------------------------------------------------------------------------------

STAFF_GROUPS = [
    "Medical and Dental",
    "Nursing and Midwifery Registered",
    "Allied Health Professionals",
    "Healthcare Scientists",
    "Add Prof Scientific and Technic",
    "Ambulance Staff",
    "Additional Clinical Services",
    "Administrative and Clerical",
    "Estates and Ancillary",
    "Senior Managers",
    "Students",
]
SG = {name: i for i, name in enumerate(STAFF_GROUPS)}

# staff-group mix of substantive people by trust type (order of STAFF_GROUPS)
SG_MIX = {
    "Acute trust": [0.14, 0.30, 0.07, 0.03, 0.03, 0.0, 0.17, 0.20, 0.05, 0.005, 0.005],
    "Mental health trust": [0.06, 0.28, 0.06, 0.0, 0.06, 0.0, 0.25, 0.22, 0.05, 0.01, 0.01],
    "Community trust": [0.03, 0.35, 0.15, 0.0, 0.0, 0.0, 0.20, 0.20, 0.05, 0.01, 0.01],
    "Ambulance trust": [0.005, 0.03, 0.0, 0.0, 0.0, 0.60, 0.05, 0.25, 0.05, 0.015, 0.0],
}

BANDS = [
    "Band 2",
    "Band 3",
    "Band 4",
    "Band 5",
    "Band 6",
    "Band 7",
    "Band 8a",
    "Band 8b",
    "Band 8c",
    "Band 8d",
    "Band 9",
    "Medical",
    "Non-AfC",
]
B = {name: i for i, name in enumerate(BANDS)}
BAND_TOP_AFC = B["Band 9"]
# band mix per staff group: {band: p}
BAND_MIX = {
    "Medical and Dental": {"Medical": 1.0},
    "Nursing and Midwifery Registered": {
        "Band 5": 0.5,
        "Band 6": 0.3,
        "Band 7": 0.14,
        "Band 8a": 0.05,
        "Band 8b": 0.01,
    },
    "Allied Health Professionals": {
        "Band 5": 0.25,
        "Band 6": 0.4,
        "Band 7": 0.28,
        "Band 8a": 0.06,
        "Band 8b": 0.01,
    },
    "Healthcare Scientists": {"Band 5": 0.2, "Band 6": 0.35, "Band 7": 0.3, "Band 8a": 0.12, "Band 8b": 0.03},
    "Add Prof Scientific and Technic": {
        "Band 4": 0.2,
        "Band 5": 0.3,
        "Band 6": 0.25,
        "Band 7": 0.2,
        "Band 8a": 0.05,
    },
    "Ambulance Staff": {"Band 3": 0.15, "Band 4": 0.15, "Band 5": 0.25, "Band 6": 0.4, "Band 7": 0.05},
    "Additional Clinical Services": {"Band 2": 0.3, "Band 3": 0.5, "Band 4": 0.2},
    "Administrative and Clerical": {
        "Band 2": 0.15,
        "Band 3": 0.3,
        "Band 4": 0.25,
        "Band 5": 0.1,
        "Band 6": 0.08,
        "Band 7": 0.06,
        "Band 8a": 0.04,
        "Band 8b": 0.015,
        "Band 8c": 0.005,
    },
    "Estates and Ancillary": {"Band 2": 0.6, "Band 3": 0.25, "Band 4": 0.1, "Band 5": 0.05},
    "Senior Managers": {"Band 8c": 0.2, "Band 8d": 0.25, "Band 9": 0.15, "Non-AfC": 0.4},
    "Students": {"Non-AfC": 1.0},
}
OCCUPATION_CODES = {
    "Medical and Dental": ["101", "109", "201", "301"],
    "Nursing and Midwifery Registered": ["N0A", "N0C", "N1C", "N3H", "N6A", "N7A"],
    "Allied Health Professionals": ["S1C", "S2C", "S4C", "S8C"],
    "Healthcare Scientists": ["S0A", "S0B"],
    "Add Prof Scientific and Technic": ["P2A", "P2B", "P3C"],
    "Ambulance Staff": ["A0A", "A1A", "A2A"],
    "Additional Clinical Services": ["H1A", "H2A", "H3A"],
    "Administrative and Clerical": ["G0A", "G1A", "G2A", "G6A"],
    "Estates and Ancillary": ["H9A", "H9B"],
    "Senior Managers": ["G6B", "G6C"],
    "Students": ["N9A"],
}
# The vocabulary a trust writes staff_group in (returns.md: ESR's staff groups or NHS England's main staff
# groups as published in NHS Workforce Statistics, in any case, with '&' or 'and'). Trusts not listed write
# ESR's names as published. "NHS England" trusts write each ESR group as the main staff group most of its
# staff are counted in (nhs_pwr then has one row per main staff group, the ESR groups' figures summed);
# "mixed" spells a row's value by its position: as published, UPPER CASE, '&' written 'and', lower case.
NHSE_STAFF_GROUP = {
    "Medical and Dental": "HCHS doctors",
    "Nursing and Midwifery Registered": "Nurses & health visitors",
    "Allied Health Professionals": "Scientific, therapeutic & technical staff",
    "Healthcare Scientists": "Scientific, therapeutic & technical staff",
    "Add Prof Scientific and Technic": "Scientific, therapeutic & technical staff",
    "Ambulance Staff": "Ambulance staff",
    "Additional Clinical Services": "Support to doctors, nurses & midwives",
    "Administrative and Clerical": "Central functions",
    "Estates and Ancillary": "Hotel, property & estates",
    "Senior Managers": "Senior managers",
    "Students": "Other staff or those with unknown classification",
}
STAFF_GROUP_VOCABULARY = {  # trust -> (vocabulary, spelling)
    "RT5": ("NHS England", "mixed"),
    "RTG": ("NHS England", "as published"),
    "R1J": ("ESR", "mixed"),
    "RY8": ("ESR", "mixed"),
}

FTE_VALUES = [100, 80, 60, 53, 50, 40, 27]  # hundredths
FTE_P = [0.66, 0.12, 0.08, 0.03, 0.05, 0.04, 0.02]
CAT = ["Permanent", "Fixed Term Temp", "Bank"]

NHS_REASONS_CROSSWALK = [
    "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Child Dependants",
    "Voluntary Resignation - Adult Dependants",
    "Voluntary Resignation - Better Reward Package",
    "Voluntary Resignation - Promotion",
    "Voluntary Resignation - Lack of Opportunities",
    "Voluntary Resignation - To undertake further education or training",
    "Voluntary Resignation - Relocation",
    "Voluntary Resignation - Health",
    "Voluntary Resignation - Incompatible Working Relationships",
    "Voluntary Resignation - Other/Not Known",
    "Retirement Age",
    "Flexi Retirement",
    "Voluntary Early Retirement - no Reduction",
    "Voluntary Early Retirement - with Reduction",
    "Ill Health Retirement",
    "End of Fixed Term Contract",
    "End of Fixed Term Contract - Completion of Training Scheme",
    "Dismissal - Capability",
    "Dismissal - Conduct",
    "Dismissal - Statutory Reason",
    "Dismissal - Some Other Substantial Reason",
    "Redundancy - Voluntary",
    "Redundancy - Compulsory",
    "Mutually Agreed Resignation",
    "Death in Service",
    "Employee Transfer",
]
MESSY_NHS_REASON = "Voluntary Resignation - Caring Responsibilities"  # not in the crosswalk
# ESR's less common reasons for leaving: half the leavers of each reason on the left are written with
# one of the reasons on the right (the same harmonised reason, so no figure changes), chosen by position.
LESS_COMMON_NHS_REASONS = {
    "End of Fixed Term Contract": [
        "End of Fixed Term Contract - End of Work Requirement",
        "End of Fixed Term Contract - External Rotation",
        "End of Fixed Term Contract - Other",
    ],
    "Ill Health Retirement": ["Retirement - Ill Health"],
    "Mutually Agreed Resignation": [
        "Mutually Agreed Resignation - Local Scheme with Repayment",
        "Mutually Agreed Resignation - National Scheme without Repayment",
    ],
    "Voluntary Resignation - Child Dependants": ["Pregnancy"],
    "Retirement Age": ["Initial Pension Ended"],
    "Voluntary Resignation - Other/Not Known": ["Has Not Worked"],
}

R = {name: i for i, name in enumerate(NHS_REASONS_CROSSWALK)}
# reasons of a working-age leaver (not retiring, not end of fixed term)
NHS_REASON_MIX = {
    "Voluntary Resignation - Work Life Balance": 0.21,
    "Voluntary Resignation - Child Dependants": 0.05,
    "Voluntary Resignation - Adult Dependants": 0.03,
    "Voluntary Resignation - Better Reward Package": 0.06,
    "Voluntary Resignation - Promotion": 0.11,
    "Voluntary Resignation - Lack of Opportunities": 0.04,
    "Voluntary Resignation - To undertake further education or training": 0.04,
    "Voluntary Resignation - Relocation": 0.13,
    "Voluntary Resignation - Health": 0.04,
    "Voluntary Resignation - Incompatible Working Relationships": 0.03,
    "Voluntary Resignation - Other/Not Known": 0.12,
    "Ill Health Retirement": 0.01,
    "Dismissal - Capability": 0.012,
    "Dismissal - Conduct": 0.015,
    "Dismissal - Statutory Reason": 0.003,
    "Dismissal - Some Other Substantial Reason": 0.005,
    "Redundancy - Voluntary": 0.004,
    "Redundancy - Compulsory": 0.002,
    "Mutually Agreed Resignation": 0.013,
    "Death in Service": 0.004,
}
NHS_RETIRE_MIX = {
    "Retirement Age": 0.55,
    "Flexi Retirement": 0.25,
    "Voluntary Early Retirement - no Reduction": 0.1,
    "Voluntary Early Retirement - with Reduction": 0.1,
}
DESTINATIONS = ["NHS Organisation", "Social Care", "Private Health", "Education", "No Employment", "Unknown"]
DEST_P = [0.2, 0.04, 0.08, 0.07, 0.25, 0.36]  # leavers who do not move inside the ICS

# --------------------------------------------------------------------------------------------------
# Adult social care
# --------------------------------------------------------------------------------------------------

ASC_ROLES = [
    "Care Worker",
    "Senior Care Worker",
    "Support and Outreach",
    "Activities Worker",
    "Registered Nurse",
    "Occupational Therapist",
    "Social Worker",
    "Registered Manager",
    "Senior Management",
    "Supervisor",
    "Administrative / office staff",
    "Ancillary staff (non care-providing)",
    "Other",
]
AR = {name: i for i, name in enumerate(ASC_ROLES)}
SERVICES = ["Care home with nursing", "Care home without nursing", "Domiciliary care", "Supported living"]
SERVICE_P = [0.25, 0.3, 0.35, 0.1]
SERVICE_ORG_TYPE = {
    "Care home with nursing": "Care home",
    "Care home without nursing": "Care home",
    "Domiciliary care": "Domiciliary care",
    "Supported living": "Supported living",
}
ROLE_MIX = {  # excluding the one Registered Manager each establishment has
    "Care home with nursing": {
        "Care Worker": 0.5,
        "Senior Care Worker": 0.12,
        "Registered Nurse": 0.12,
        "Activities Worker": 0.03,
        "Supervisor": 0.03,
        "Administrative / office staff": 0.04,
        "Ancillary staff (non care-providing)": 0.14,
        "Other": 0.02,
    },
    "Care home without nursing": {
        "Care Worker": 0.6,
        "Senior Care Worker": 0.14,
        "Activities Worker": 0.03,
        "Supervisor": 0.04,
        "Administrative / office staff": 0.04,
        "Ancillary staff (non care-providing)": 0.13,
        "Other": 0.02,
    },
    "Domiciliary care": {
        "Care Worker": 0.74,
        "Senior Care Worker": 0.08,
        "Supervisor": 0.06,
        "Administrative / office staff": 0.07,
        "Support and Outreach": 0.03,
        "Senior Management": 0.02,
    },
    "Supported living": {
        "Support and Outreach": 0.58,
        "Care Worker": 0.2,
        "Supervisor": 0.06,
        "Social Worker": 0.04,
        "Occupational Therapist": 0.03,
        "Administrative / office staff": 0.06,
        "Senior Management": 0.03,
    },
}
CONTRACTS = ["Permanent", "Temporary", "Pool/Bank", "Agency", "Other"]
CONTRACT_P = [0.72, 0.05, 0.12, 0.07, 0.04]
ZERO_HOURS = ["Yes", "No", "Unknown"]
HOURS_VALUES = [375, 370, 360, 300, 240, 200, 160, 450, 400]  # tenths of an hour
HOURS_P = [0.3, 0.08, 0.12, 0.12, 0.12, 0.08, 0.08, 0.05, 0.05]
ASC_REASONS = [
    "Career development",
    "Pay",
    "Competition from other employers",
    "Conditions of work",
    "Nature of work",
    "Personal reasons",
    "Relocation",
    "Health",
    "Retired",
    "End of contract",
    "Dismissed",
    "Other",
    "Unknown",
]
ASC_REASON_P = [0.11, 0.1, 0.08, 0.1, 0.08, 0.22, 0.05, 0.05, 0.0, 0.04, 0.05, 0.06, 0.06]
MESSY_ASC_REASON = "Moved to another care provider"  # not in the crosswalk
LA_CODES = ["E06000016", "E10000018", "E06000017"]  # Leicester, Leicestershire, Rutland
LA_P = [0.4, 0.5, 0.1]

# --------------------------------------------------------------------------------------------------
# Rates (reported in truth.json params)
# --------------------------------------------------------------------------------------------------

PARAMS = {
    "nhs_annual_turnover_target": 0.105,
    "asc_annual_turnover_target": 0.27,
    "burn_in_months": 12,
    "nhs_growth_per_year": 0.02,
    "asc_growth_per_year": 0.01,
    "hazard_multipliers": {
        "first_year": 2.0,
        "ethnic_minority": 1.2,
        "disabled": 1.35,
        "age_under_25": 1.3,
        "age_60_plus": 2.5,
        "age_67_plus": 6.0,
        "fixed_term": 2.0,
        "asc_zero_hours": 1.3,
    },
    "nhs_move_in_ics_share": 0.12,
    "nhs_to_asc_share": 0.03,
    "asc_move_in_ics_share": 0.18,
    "asc_to_nhs_share": 0.05,
    "rejoin_share": 0.04,
    "flexi_retirement_return_share": 0.5,
    "nhs_to_bank_only_share": 0.04,
    "nhs_second_assignment_share": 0.04,
    "nhs_bank_alongside_share": 0.07,
    "nhs_bank_only_share": 0.03,
    "monthly_band_change": 0.004,
    "monthly_role_change": 0.001,
    "monthly_ftt_to_permanent": 0.02,
    "fixed_term_share_of_hires": 0.12,
    "nhs_vacancy_per_new_assignment": 0.85,
    "time_to_hire_median_days": 48,
    "time_to_hire_lognormal_sigma": 0.45,
    "nhs_bank_share_of_substantive": 0.065,
    "nhs_agency_share_of_substantive": 0.03,
    "nhs_sickness_rate": 0.05,
    "winter_uplift": 0.2,
    "asc_empty_ni_share": 0.35,
    "asc_mean_days_sick_12m": 6.0,
}

# staff-group factors for pwr figures (order of STAFF_GROUPS)
SG_VACANCY = [0.07, 0.09, 0.08, 0.07, 0.06, 0.08, 0.06, 0.04, 0.05, 0.03, 0.0]
SG_BANK = [0.05, 0.08, 0.03, 0.02, 0.03, 0.03, 0.11, 0.05, 0.06, 0.0, 0.0]
SG_AGENCY = [0.06, 0.04, 0.03, 0.02, 0.02, 0.01, 0.02, 0.01, 0.01, 0.0, 0.0]
SG_SICKNESS = [0.016, 0.055, 0.04, 0.035, 0.04, 0.065, 0.068, 0.043, 0.062, 0.02, 0.03]

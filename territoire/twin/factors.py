"""Default conversion factors for the gains the twins report (€, CO2).

They are public, sourced orders of magnitude, used when the collectivité has not entered
its own figures: every page shows the factor next to the result so it can be challenged.
"""

from __future__ import annotations

# Electricity (public lighting): regulated-tariff order of magnitude for a commune, and the
# French grid's average emission factor (ADEME Base Empreinte, mix moyen, ~52 g/kWh).
ELECTRICITY_EUR_PER_KWH = 0.20
ELECTRICITY_CO2_KG_PER_KWH = 0.052

# Natural gas (school boilers): ADEME factor for natural gas, combustion + upstream.
GAS_EUR_PER_KWH = 0.11
GAS_CO2_KG_PER_KWH = 0.227

# Diesel (refuse collection trucks): a 26 t refuse truck burns about 50 l/100 km in
# stop-and-go collection; ADEME road diesel factor is about 3.1 kg CO2e per litre.
DIESEL_L_PER_100KM = 50.0
DIESEL_EUR_PER_L = 1.75
DIESEL_CO2_KG_PER_L = 3.1

# Drinking water: production and distribution cost of one lost cubic metre.
WATER_EUR_PER_M3 = 1.20
# Leak flow at night is higher than the day average because pressure is higher at night;
# the night-day factor (hours) turns a night leak rate into a daily volume (UK practice
# uses 18-24 h; 20 h is a prudent middle).
NIGHT_DAY_FACTOR_HOURS = 20.0

# Running a public pool for one hour (lifeguards, reception, part of the energy): the
# order of magnitude local audit chambers report for municipal pools.
POOL_EUR_PER_OPEN_HOUR = 150.0

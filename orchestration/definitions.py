"""The Dagster code location: builds `defs` from the modules of this package; nothing else."""

from dagster import Definitions, in_process_executor

from orchestration.assets import published_marts, return_register
from orchestration.dbt import dbt_models, dbt_resource
from orchestration.ingestion.assets import ingestion_assets
from orchestration.resources import WarehouseResource
from orchestration.schedules import landing_sensor, monthly_refresh, refresh_job

defs = Definitions(
    assets=[*ingestion_assets, return_register, dbt_models, published_marts],
    jobs=[refresh_job],
    schedules=[monthly_refresh],
    sensors=[landing_sensor],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=in_process_executor,
)

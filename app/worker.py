"""The Celery workers' entry point, for the scale-out grading backend.

    ACADEMY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgresql://... \
        celery -A app.worker worker --pool threads --concurrency 2

Workers need the same database, lake and exercises as the web site, and the
broker; see app.grading.tasks.
"""

from app import create_app
from app.grading.tasks import celery_init_app

flask_app = create_app()
celery = celery_init_app(flask_app)

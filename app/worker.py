"""The Celery workers' entry point, for the scale-out grading backend.

    ACADEMY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgresql://... \
        celery -A app.worker worker --pool threads --concurrency 2

Workers need the same database, lake and exercises as the web site, and the
broker; see app.grading.tasks.
"""

from app import create_app
from app.grading.queue import CELERY_KEY

# A worker is the far end of the celery backend, whatever the environment says.
flask_app = create_app({"ACADEMY_GRADING_BACKEND": "celery", "ACADEMY_GRADING_INLINE": False})
celery = flask_app.extensions[CELERY_KEY]

"""Every UDA architecture this project trains, by problem: the registry the cross-problem tools load with."""
from bonus_uda.model import ARCHS as BONUS_ARCHS
from common.uda.models import Registry
from p3_dann.model import ARCHS as P3_ARCHS

UDA_MODELS: Registry = {"p3": P3_ARCHS, "bonus": BONUS_ARCHS}
